-- The one_auth database and user, run as root over the socket by
-- mariadb-throwaway.sh and galera-throwaway.sh. The anonymous users
-- install-db may create would shadow one_auth@'%' for local logins, hence
-- dropped; the 127.0.0.1 account makes the TCP login explicit.
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
CREATE DATABASE IF NOT EXISTS one_auth CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'one_auth'@'%' IDENTIFIED BY 'one_auth';
CREATE USER IF NOT EXISTS 'one_auth'@'127.0.0.1' IDENTIFIED BY 'one_auth';
GRANT ALL PRIVILEGES ON one_auth.* TO 'one_auth'@'%';
GRANT ALL PRIVILEGES ON one_auth.* TO 'one_auth'@'127.0.0.1';
-- Scratch databases for tests that need a schema of their own (migrations).
GRANT ALL PRIVILEGES ON `one_auth\_%`.* TO 'one_auth'@'%';
GRANT ALL PRIVILEGES ON `one_auth\_%`.* TO 'one_auth'@'127.0.0.1';
