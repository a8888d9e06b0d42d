#!/bin/sh
# Build the local Debian base image localhost/debian-bookworm:base with debootstrap, unless it exists.
# For hosts that cannot reach an image registry (make container-test); elsewhere build the image from a
# public base (Containerfile's default) instead. Needs root, debootstrap and podman.
set -eu
IMAGE=${BASE_IMAGE:-localhost/debian-bookworm:base}
PODMAN=${PODMAN:-podman --runtime runc}
if $PODMAN image exists "$IMAGE"; then
    exit 0
fi
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs"
# An imported image has no PATH of its own; podman kube play would start its containers without one.
tar -C "$rootfs" -c . | $PODMAN import \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" - "$IMAGE"
