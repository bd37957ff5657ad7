# `lab build`: the root image every lab host boots, whatever the route (lab/lib/route.sh): one shared
# read-only ext4 image with the modules of both kernels (user-mode-linux's, and Debian's amd64 kernel,
# whose vmlinuz and initrd the qemu route boots), and the lab's Debian package repository.
# Rebuilt only when the recipe changes.

# Debian packages in the image. ipvsadm and keepalived are deliberately NOT here: the directors get
# them from the lab's package repository, through the library's own install step.
IMAGE_PACKAGES=systemd,systemd-sysv,systemd-container,dbus,openssh-server,iproute2,kmod,python3,curl,iptables,nftables,procps,socat,iputils-ping,tcpdump,psmisc,sudo,ca-certificates,netbase,less,netcat-openbsd,linux-image-amd64,libpam-systemd,firewalld
# What the lab repository serves (with every dependency the image lacks). python3-apt is Ansible's apt
# module's (`npm run bench` installs it before its Ansible rows and removes it after them).
REPO_PACKAGES="keepalived ipvsadm python3-apt"
# What this machine needs to build the lab and probe the routes, and what the qemu route adds.
MACHINE_PACKAGES="user-mode-linux debootstrap e2fsprogs iproute2 socat openssh-client apt-utils procps"
QEMU_PACKAGES="qemu-system-x86"

ensure_machine_packages() { # [extra packages]
  local missing=() p
  for p in $MACHINE_PACKAGES "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing on this machine: ${missing[*]}"
  apt-get update -q >/dev/null || die "apt-get update failed (the lab needs Debian's package mirror for: ${missing[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
}

# The user-mode-linux kernel's version, from its modules (known once the package is installed).
uml_kernel_version() {
  local v
  v=$(find /usr/lib/uml/modules -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
  [ -n "$v" ] || die "no user-mode-linux kernel modules in /usr/lib/uml/modules (is the user-mode-linux package installed?)"
  echo "$v"
}

ensure_key() {
  [ -f "$LAB_KEY" ] && return 0
  mkdir -p "$(dirname "$LAB_KEY")"
  ssh-keygen -q -t ed25519 -N '' -C "pulumi-lvs-lab" -f "$LAB_KEY"
}

recipe_hash() {
  {
    echo "$IMAGE_PACKAGES|$REPO_PACKAGES|$(uml_kernel_version)"
    cat "$LAB_DIR/lib/build.sh" "$LAB_KEY.pub"
    (cd "$LAB_DIR/image" && find . -type f | sort | xargs sha256sum)
  } | sha256sum | cut -c1-16
}

# Downloads the repository packages and what they need, into <dir>, and indexes it as a flat repo.
build_repo() { # <root> <dir>
  local root=$1 dir=$2
  log "fetching $REPO_PACKAGES and their dependencies for the lab repository"
  # debootstrap leaves its own .debs in the cache: start from an empty one.
  chroot "$root" apt-get clean
  chroot "$root" apt-get update -q >/dev/null || die "apt-get update in the image failed"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only $REPO_PACKAGES >/dev/null ||
    die "downloading $REPO_PACKAGES failed"
  mkdir -p "$dir"
  mv "$root"/var/cache/apt/archives/*.deb "$dir/"
  chroot "$root" apt-get clean
  (cd "$dir" && apt-ftparchive packages . > Packages && gzip -9kf Packages && apt-ftparchive release . > Release) ||
    die "indexing the lab repository failed"
}

# The qemu route boots the image's own amd64 kernel; it is kept beside the image, not in it.
extract_kernel() { # <root> <dir>
  local root=$1 dir=$2 vmlinuz initrd
  vmlinuz=$(find "$root/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
  initrd=$(find "$root/boot" -name 'initrd.img-*' | sort -V | tail -n 1)
  [ -n "$vmlinuz" ] && [ -n "$initrd" ] || die "the image has no amd64 kernel and initrd in /boot (linux-image-amd64)"
  mkdir -p "$dir"
  cp "$vmlinuz" "$dir/vmlinuz"
  cp "$initrd" "$dir/initrd.img"
}

customize_image() { # <root>
  local root=$1
  cp -rT "$LAB_DIR/image" "$root"
  mkdir -p "$root/lib/modules"
  cp -a "/usr/lib/uml/modules/$(uml_kernel_version)" "$root/lib/modules/"
  rm -rf "$root/boot"/* "$root"/etc/ssh/ssh_host_*
  : > "$root/etc/fstab"
  # A base machine-id; each host gets its own through systemd.machine_id= on its kernel command line.
  echo 0123456789abcdef0123456789abcdef > "$root/etc/machine-id"
  # root and a sudo-capable user, both with the lab key.
  chroot "$root" useradd -m -s /bin/bash ops
  chroot "$root" usermod -p '*' ops
  echo 'ops ALL=(ALL) NOPASSWD:ALL' > "$root/etc/sudoers.d/ops"
  chmod 0440 "$root/etc/sudoers.d/ops"
  local home
  for home in /root /home/ops; do
    install -d -m 0700 "$root$home/.ssh"
    install -m 0600 "$LAB_KEY.pub" "$root$home/.ssh/authorized_keys"
  done
  chroot "$root" chown -R ops:ops /home/ops/.ssh
  chroot "$root" systemctl enable -q lab-net.service lab-hostkeys.service lab-web.service lab-hold.service lab-echo.service lab-dns.service lab-sctp.service lab-smtp.service
  # firewalld is there for a test to start as an admin would (dr.test.ts 4h), off until then. Its polkitd
  # needs logind (libpam-systemd), whose PAM session module would start a user manager for every SSH login:
  # taken out, as the image was before.
  chroot "$root" systemctl disable -q firewalld.service
  sed -i '/pam_systemd\.so/d' "$root/etc/pam.d/common-session"
  chroot "$root" systemctl mask -q apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
    fstrim.timer dpkg-db-backup.timer getty@tty1.service console-getty.service 2>/dev/null || true
  # The hosts' only package source is the lab repository.
  rm -f "$root"/etc/apt/sources.list.d/* "$root"/var/lib/apt/lists/*_* "$root/etc/resolv.conf"
  echo "deb [trusted=yes] http://$LAB_REPO_ADDR:$LAB_REPO_PORT/ ./" > "$root/etc/apt/sources.list"
}

lab_build() {
  ensure_machine_packages
  ensure_key
  local hash image repo kernel root started=$SECONDS
  hash=$(recipe_hash)
  image="$LAB_CACHE/image-$hash.ext4" repo="$LAB_CACHE/repo-$hash" kernel="$LAB_CACHE/kernel-$hash"
  if [ -f "$image" ] && [ -f "$repo/Packages.gz" ] && [ -f "$kernel/initrd.img" ]; then
    log "image up to date ($(basename "$image"))"
    return 0
  fi
  root="$LAB_CACHE/build/root"
  rm -rf "$LAB_CACHE/build" "$repo" "$kernel"
  mkdir -p "$LAB_CACHE/build"
  log "debootstrap bookworm with $IMAGE_PACKAGES (about 3 minutes)"
  debootstrap --variant=minbase --include="$IMAGE_PACKAGES" bookworm "$root" http://deb.debian.org/debian \
    > "$LAB_CACHE/build/debootstrap.log" 2>&1 || { tail -n 20 "$LAB_CACHE/build/debootstrap.log" >&2; die "debootstrap failed"; }
  build_repo "$root" "$repo"
  extract_kernel "$root" "$kernel"
  log "customizing the image"
  customize_image "$root"
  log "writing the ext4 image"
  mke2fs -q -t ext4 -L lvslab -d "$root" "$image.tmp" 2048M > /dev/null || die "mke2fs failed"
  mv "$image.tmp" "$image"
  ln -sfn "$(basename "$image")" "$LAB_CACHE/image.ext4"
  ln -sfn "$(basename "$repo")" "$LAB_CACHE/repo"
  ln -sfn "$(basename "$kernel")" "$LAB_CACHE/kernel"
  rm -rf "$LAB_CACHE/build"
  # Older images are not used by any running lab (a running lab keeps its own image path alive).
  find "$LAB_CACHE" -maxdepth 1 \( -name 'image-*.ext4' ! -name "$(basename "$image")" -o -name 'repo-*' ! -name "$(basename "$repo")" \
    -o -name 'kernel-*' ! -name "$(basename "$kernel")" \) -exec rm -rf {} + 2>/dev/null || true
  log "image built in $((SECONDS - started)) s"
}
