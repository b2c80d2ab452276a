"""Backup and restore round trip (docs/deployment.md): ops/backup.sh dumps a database holding every kind of data,
ops/restore.sh restores it into a new database, and every table (row by row) and every sequence is the same."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def database_url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def psql(name: str, sql: str) -> str:
    return subprocess.run(["psql", "-tAq", "-v", "ON_ERROR_STOP=1", "-d", database_url(name), "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def fingerprint(name: str) -> dict:
    """{table: (rows, md5 of its rows in order)} and {sequence: last value} of the public schema."""
    tables = psql(name, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    out = {}
    for table in tables:
        rows, digest = psql(name, f'SELECT count(*), md5(coalesce(string_agg(t::text, \'|\' ORDER BY t::text), \'\')) '
                                  f'FROM "{table}" t').strip().split("|")
        out[table] = (int(rows), digest)
    sequences = psql(name, "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences "
                           "WHERE schemaname = 'public' ORDER BY 1").split()
    return {"tables": out, "sequences": sequences}


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')
    psql("postgres", f'CREATE DATABASE "{name}"')
    yield name
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}"')


def test_a_backup_restores_every_row_and_sequence(restored_name, tmp_path, django_capture_on_commit_callbacks):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.fail("pg_dump and pg_restore are needed (Debian: postgresql-client)")
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)  # every app's data: people, logs, answers, reports and their files
    source = connection.settings_dict["NAME"]
    before = fingerprint(source)
    assert before["tables"]["reports_reportfile"][0] > 0 and before["tables"]["surveys_answer"][0] > 0
    assert sum(rows for rows, _ in before["tables"].values()) > 1000

    dump = tmp_path / "residency.dump"
    env = dict(os.environ)
    subprocess.run([str(ROOT / "ops" / "backup.sh"), database_url(source), str(dump)], check=True, env=env,
                   capture_output=True)
    assert dump.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    subprocess.run([str(ROOT / "ops" / "restore.sh"), str(dump), database_url(restored_name)], check=True, env=env,
                   capture_output=True)

    assert fingerprint(restored_name) == before


def test_restore_refuses_a_damaged_file_and_leaves_the_database_empty(restored_name, tmp_path):
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(b"PGDMP" + b"\x00" * 100)
    done = subprocess.run([str(ROOT / "ops" / "restore.sh"), str(damaged), database_url(restored_name)],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert psql(restored_name, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").strip() == "0"
