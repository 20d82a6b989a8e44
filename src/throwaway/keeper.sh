# The keeper of a throwaway cluster (run by /bin/sh as the user postgres runs as, in a
# process group of its own, so Ctrl-c at the terminal does not reach it).
# $1 postgres binary, $2 data folder, $3 folder to remove at the end (holds the socket),
# $4 port, $5 owner: "pipe" (stdin is a pipe from the owner: EOF, which the kernel delivers
# however the owner ends, is the cue) or the pid of the owning process (polled).
# Starts postgres, waits until the owner has gone (or postgres has), then stops postgres
# (fast shutdown) and removes the folder.
postgres=$1 data=$2 folder=$3 port=$4 owner=$5
pg=
reader=
stop() {
  trap '' TERM
  [ -n "$reader" ] && kill "$reader" 2>/dev/null
  if [ -n "$pg" ]; then
    kill -INT "$pg" 2>/dev/null
    wait "$pg" 2>/dev/null
  fi
  rm -rf "$folder"
  exit 0
}
trap '' HUP INT QUIT
trap stop TERM
"$postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$folder" \
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 &
pg=$!
if [ "$owner" = pipe ]; then
  exec 3<&0 </dev/null
  (read -r _ <&3; kill -TERM $$) &
  reader=$!
  exec 3<&-
fi
owner_alive() {
  [ "$owner" = pipe ] || kill -0 "$owner" 2>/dev/null || [ -d "/proc/$owner" ]
}
while kill -0 "$pg" 2>/dev/null && owner_alive; do
  sleep 1 &
  wait $!
done
stop
