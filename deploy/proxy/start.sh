#!/bin/sh
# Start nginx with the container's own DNS resolver, so "web" is looked up again as replicas come and go.
set -eu
resolver=$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf)
case "$resolver" in *:*) resolver="[$resolver]" ;; esac
sed -e "s#@RESOLVER@#${resolver:-127.0.0.11}#" -e "s#@UPSTREAM@#${WEB_UPSTREAM:-web:8000}#" \
    /etc/nginx/nginx.conf.template > /etc/nginx/nginx.conf
exec nginx -g "daemon off;"
