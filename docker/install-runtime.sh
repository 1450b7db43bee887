#!/bin/sh
# The aeturnis-db image's install recipe. The Dockerfile's "install" stage runs it, and so does
# test/integration/package.test.ts (without Docker, against PostgreSQL), so the recipe cannot
# rot silently.
#
#   install-runtime.sh PACKAGE.tgz PACKAGE-LOCK.json INSTALL_DIR PROJECT_DIR
#
# INSTALL_DIR receives the packed npm package (package.json, bin/, dist/) and its production
# dependencies only, at the versions pinned by the repository's package-lock.json (`npm ci`).
# PROJECT_DIR, the image's working directory, receives the shipped migrations/ and seeds/.
# NPM_CI_FLAGS adds flags to `npm ci` (the test passes --prefer-offline).
set -eu

if [ "$#" -ne 4 ]; then
  echo "usage: $0 PACKAGE.tgz PACKAGE-LOCK.json INSTALL_DIR PROJECT_DIR" >&2
  exit 2
fi
tarball=$1
lockfile=$2
install_dir=$3
project_dir=$4

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
tar -xzf "$tarball" -C "$staging"
mkdir -p "$install_dir" "$project_dir"
cp -R "$staging/package/." "$install_dir/"
cp "$lockfile" "$install_dir/package-lock.json"

cd "$install_dir"
# --omit=dev: no compiler, no test tools. --omit=optional: no embedded database (PGlite, 28 MB:
# the image always has DATABASE_URL) and no squawk (lint runs in development, not in the image);
# the commands that would need them say so in one line. --ignore-scripts: the package's own
# `prepare` (a build, already done) must not run, and no runtime dependency needs an install script.
# shellcheck disable=SC2086
npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund ${NPM_CI_FLAGS:-}

cp -R migrations seeds "$project_dir/"
