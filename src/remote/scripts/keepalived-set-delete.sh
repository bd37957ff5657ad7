# Removes every service file this VirtualServiceSet ($SET_NAME) holds on this director, in one change (see
# service-set.sh). A file another resource took over (a rename, a replacement) stays.
set_start
set_add_held
set_change
rmdir "$STATE_DIR" 2>/dev/null || true
