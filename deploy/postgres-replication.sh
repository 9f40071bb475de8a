#!/bin/bash
# Run once by the postgres image when the primary's data directory is created
# (docker-compose.scale.yml): the WAL archive folder and replication connections from the network.
set -eu
mkdir -p /backup/wal /backup/base
chown -R postgres:postgres /backup
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
