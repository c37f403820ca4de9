#!/bin/sh
# `claude-gateway` inside the image (the entrypoint, and what `docker exec … claude-gateway keys …`
# runs). Started as root, it makes the data dir belong to the unprivileged user and runs itself again
# as that user: a volume that arrives root-owned (Fly.io volumes, Docker bind mounts) would otherwise
# stop the gateway with EACCES at start. Started as any other user, it runs the CLI directly.
#
#   GATEWAY_USER  user to run as (default: node)
#   DATA_DIR      the directory to hand over (default: /data)
#   GATEWAY_CLI   the CLI entry point (default: /app/dist/src/cli.js)
set -eu

if [ "$(id -u)" = 0 ]; then
  user="${GATEWAY_USER:-node}"
  data_dir="${DATA_DIR:-/data}"
  uid="$(id -u "$user")"
  gid="$(id -g "$user")"
  mkdir -p "$data_dir"
  # Only when it belongs to someone else, so a large data dir is not walked on every start.
  if [ "$(stat -c %u "$data_dir")" != "$uid" ]; then
    chown -R "$uid:$gid" "$data_dir"
  fi
  HOME="$(getent passwd "$user" | cut -d: -f6)"
  export HOME
  exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- "$0" "$@"
fi

exec node "${GATEWAY_CLI:-/app/dist/src/cli.js}" "$@"
