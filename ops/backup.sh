#!/usr/bin/env bash
# Back up the product's PostgreSQL database into one file (pg_dump custom format: compressed, restorable table by
# table). Usage: ops/backup.sh <database-url> <file>
#   e.g. ops/backup.sh "$DATABASE_URL" /var/backups/residency/$(date +%F).dump
# Everything the product keeps is in the database (report files included; no uploaded file is stored), so this
# one file is the whole backup. See docs/deployment.md, "Backup and restore".
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 <database-url> <file>" >&2; exit 2; fi
umask 077  # the dump holds personal data: readable by its owner only
pg_dump --format=custom --no-owner --no-privileges --dbname="$1" --file="$2.partial"
mv "$2.partial" "$2"  # a file that exists is complete
echo "backed up to $2 ($(du -h "$2" | cut -f1))"
