-- One database per service, plus the shared identity (user accounts) database.
-- Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d),
-- as POSTGRES_USER, which owns them. Safe to run again: existing databases are kept.
-- Production: give each service its own role owning only its database (see deploy/README.md).
SELECT 'CREATE DATABASE intake' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'intake')\gexec
SELECT 'CREATE DATABASE construction' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'construction')\gexec
SELECT 'CREATE DATABASE complaints' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'complaints')\gexec
SELECT 'CREATE DATABASE acceptance' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'acceptance')\gexec
SELECT 'CREATE DATABASE identity' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'identity')\gexec
