-- Sets up a clinic's shared romcam store on PostgreSQL (issue 19). Run once as a superuser:
--   psql -v ON_ERROR_STOP=1 -f scripts/clinic-store.sql
-- then, for each therapist:
--   CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE romcam_therapist;
-- and create the tables once as the owner (romcam migrates the schema on its first connection):
--   romcam clients --store postgres://romcam_owner@HOST/romcam
-- and then, as a superuser, take back what therapists must not do on the audit trail and the
-- schema version (run again after an upgrade of romcam that adds tables):
--   psql -d romcam -c 'REVOKE UPDATE, DELETE ON romcam.audit FROM romcam_therapist;
--                      REVOKE INSERT, UPDATE, DELETE ON romcam.romcam_schema FROM romcam_therapist;'
--
-- romcam_owner   owns the schema and its tables; only it can create or change them (migrations).
-- romcam_therapist  a group role without login: reads and writes records, appends to the audit
--                   trail but can neither change nor delete an entry of it (a client's erasure
--                   removes their trail through the owner's ON DELETE CASCADE), and cannot
--                   change the schema. Each therapist logs in as their own role, which the audit
--                   trail records as who made a change.
-- TLS: romcam refuses plain connections unless --insecure-plain; set ssl = on in postgresql.conf
-- and require it in pg_hba.conf with hostssl lines, e.g.
--   hostssl romcam +romcam_therapist 10.0.0.0/8 scram-sha-256
--   hostssl romcam romcam_owner      10.0.0.0/8 scram-sha-256

\set ON_ERROR_STOP 1
CREATE ROLE romcam_owner LOGIN;
CREATE ROLE romcam_therapist NOLOGIN;
CREATE DATABASE romcam OWNER romcam_owner;
\connect romcam
REVOKE ALL ON DATABASE romcam FROM PUBLIC;
GRANT CONNECT ON DATABASE romcam TO romcam_owner, romcam_therapist;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA romcam AUTHORIZATION romcam_owner;
GRANT USAGE ON SCHEMA romcam TO romcam_therapist;
ALTER DATABASE romcam SET search_path = romcam;
-- the tables romcam_owner creates (now and in later migrations) are open to therapists only so far
ALTER DEFAULT PRIVILEGES FOR ROLE romcam_owner IN SCHEMA romcam
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO romcam_therapist;
ALTER DEFAULT PRIVILEGES FOR ROLE romcam_owner IN SCHEMA romcam
    GRANT USAGE ON SEQUENCES TO romcam_therapist;
