# `lab build`: the root image every lab host boots (one shared read-only ext4 image, a copy-on-write
# file per host) and the lab's Debian package repository. Rebuilt only when the recipe changes.

# Debian packages in the image. ipvsadm and keepalived are deliberately NOT here: the directors get
# them from the lab's package repository, through the library's own install step.
IMAGE_PACKAGES=systemd,systemd-sysv,dbus,openssh-server,iproute2,kmod,python3,curl,iptables,nftables,procps,socat,iputils-ping,tcpdump,psmisc,sudo,ca-certificates,netbase,less,netcat-openbsd
# What the lab repository serves (with every dependency the image lacks).
REPO_PACKAGES="keepalived ipvsadm"
# What this machine needs to build and run the lab.
MACHINE_PACKAGES="user-mode-linux debootstrap e2fsprogs iproute2 socat openssh-client apt-utils procps"

ensure_machine_packages() {
  local missing=() p
  for p in $MACHINE_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing on this machine: ${missing[*]}"
  apt-get update -q >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
}

ensure_key() {
  [ -f "$LAB_KEY" ] && return 0
  mkdir -p "$(dirname "$LAB_KEY")"
  ssh-keygen -q -t ed25519 -N '' -C "pulumi-lvs-lab" -f "$LAB_KEY"
}

recipe_hash() {
  {
    echo "$IMAGE_PACKAGES|$REPO_PACKAGES|$UML_KERNEL_VERSION"
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

customize_image() { # <root>
  local root=$1
  cp -rT "$LAB_DIR/image" "$root"
  mkdir -p "$root/lib/modules"
  cp -a "/usr/lib/uml/modules/$UML_KERNEL_VERSION" "$root/lib/modules/"
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
  chroot "$root" systemctl enable -q lab-net.service lab-hostkeys.service lab-web.service lab-hold.service lab-echo.service
  chroot "$root" systemctl mask -q apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
    fstrim.timer dpkg-db-backup.timer getty@tty1.service console-getty.service 2>/dev/null || true
  # The hosts' only package source is the lab repository.
  rm -f "$root"/etc/apt/sources.list.d/* "$root"/var/lib/apt/lists/*_* "$root/etc/resolv.conf"
  echo "deb [trusted=yes] http://$LAB_REPO_ADDR:$LAB_REPO_PORT/ ./" > "$root/etc/apt/sources.list"
}

lab_build() {
  ensure_machine_packages
  [ -n "$UML_KERNEL_VERSION" ] || die "no user-mode-linux kernel modules in /usr/lib/uml/modules"
  ensure_key
  local hash image repo root started=$SECONDS
  hash=$(recipe_hash)
  image="$LAB_CACHE/image-$hash.ext4" repo="$LAB_CACHE/repo-$hash"
  if [ -f "$image" ] && [ -f "$repo/Packages.gz" ]; then
    log "image up to date ($(basename "$image"))"
    return 0
  fi
  root="$LAB_CACHE/build/root"
  rm -rf "$LAB_CACHE/build" "$repo"
  mkdir -p "$LAB_CACHE/build"
  log "debootstrap bookworm with $IMAGE_PACKAGES (about 3 minutes)"
  debootstrap --variant=minbase --include="$IMAGE_PACKAGES" bookworm "$root" http://deb.debian.org/debian \
    > "$LAB_CACHE/build/debootstrap.log" 2>&1 || { tail -n 20 "$LAB_CACHE/build/debootstrap.log" >&2; die "debootstrap failed"; }
  build_repo "$root" "$repo"
  log "customizing the image"
  customize_image "$root"
  log "writing the ext4 image"
  mke2fs -q -t ext4 -L lvslab -d "$root" "$image.tmp" 2048M || die "mke2fs failed"
  mv "$image.tmp" "$image"
  ln -sfn "$(basename "$image")" "$LAB_CACHE/image.ext4"
  ln -sfn "$(basename "$repo")" "$LAB_CACHE/repo"
  rm -rf "$LAB_CACHE/build"
  # Older images are not used by any running lab (a running lab keeps its own image path alive).
  find "$LAB_CACHE" -maxdepth 1 \( -name 'image-*.ext4' ! -name "$(basename "$image")" -o -name 'repo-*' ! -name "$(basename "$repo")" \) \
    -exec rm -rf {} + 2>/dev/null || true
  log "image built in $((SECONDS - started)) s"
}
