#!/bin/sh
# Make the secret files compose.yaml mounts, for a try-out: a random secret key and database password,
# the database URL holding it, and a self-signed certificate for localhost. In production put your
# own certificate (tls.crt with its chain, tls.key) and keep the folder out of backups you share.
#
#   deploy/make-secrets.sh [FOLDER]    (default: $CROSSCHECK_SECRETS or deploy/secrets)
#
# The folder is readable by its owner only; the app's files in it are readable by all, because compose
# bind-mounts each file into containers that run as other users (the app as uid 10001).
set -eu
dir=${1:-${CROSSCHECK_SECRETS:-$(dirname "$0")/secrets}}
mkdir -p "$dir"
chmod 700 "$dir"
umask 022
random() { openssl rand -hex "$1"; }
[ -s "$dir/secret_key" ] || random 32 > "$dir/secret_key"
if [ ! -s "$dir/postgres_password" ]; then
    random 24 > "$dir/postgres_password"
    rm -f "$dir/database_url"
fi
[ -s "$dir/database_url" ] || \
    echo "postgresql+psycopg://crosscheck:$(cat "$dir/postgres_password")@postgres:5432/crosscheck" \
    > "$dir/database_url"
if [ ! -s "$dir/tls.key" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
    chmod 600 "$dir/tls.key"  # read by the proxy's root master process only
fi
echo "secrets in $dir"
