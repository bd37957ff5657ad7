# A VirtualServiceSet's service files on this director ($SET_NAME; stdin: the files, see set_read), in one
# change with the files it held here and no longer lists (see service-set.sh).
set_start
set_read
set_add_held unlisted
set_change
