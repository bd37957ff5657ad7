# Delete of a drift check: its record goes, unless a replacement (another token, created before this
# one is deleted) has written its own since.
record=$(drift_record)
if [ -f "$record" ] && [ "$(head -n 1 "$record")" = "$PLVS_TOKEN" ]; then rm -f "$record"; fi
rmdir "$STATE_DIR/drift" 2>/dev/null || true
