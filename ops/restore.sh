#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into an EMPTY database, all or nothing (one transaction).
# Usage: ops/restore.sh <file> <database-url>
#   createdb -h db.example.org -U residency residency_restored
#   ops/restore.sh /var/backups/residency/2026-11-23.dump postgres://residency@db.example.org/residency_restored
# Then point DATABASE_URL at it and run `manage.py migrate` (a no-op when the code is the same version).
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 <file> <database-url>" >&2; exit 2; fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$2" "$1"
echo "restored $1"
