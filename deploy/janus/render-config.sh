#!/bin/sh
# Writes the Janus config Sealcall ships (this directory) into a Janus config folder, with the
# secrets from the Sealcall server's janus secrets file (docs/deployment.md, "Janus for meetings").
# Usage: render-config.sh /etc/sealcall/janus-secrets /etc/janus
set -eu
secrets=$1
out=$2
here=$(dirname "$0")
value() {
  v=$(sed -n "s/^$1=//p" "$secrets")
  # The server refuses anything else too (server/sfu/janus-secrets.ts); sed below relies on it.
  printf '%s' "$v" | grep -Eq '^[A-Za-z0-9_-]{32,256}$' || { echo "render-config.sh: $1 missing or malformed in $secrets" >&2; exit 1; }
  printf '%s' "$v"
}
api=$(value api_secret)
token=$(value token_auth_secret)
admin=$(value admin_key)
umask 077
for name in janus.jcfg janus.plugin.videoroom.jcfg janus.transport.http.jcfg; do
  sed -e "s/@API_SECRET@/$api/g" -e "s/@TOKEN_AUTH_SECRET@/$token/g" -e "s/@ADMIN_KEY@/$admin/g" \
    -e "s#configs_folder = \"[^\"]*\"#configs_folder = \"$out\"#" "$here/$name" > "$out/$name"
done
echo "wrote $out/janus.jcfg, janus.plugin.videoroom.jcfg, janus.transport.http.jcfg"
