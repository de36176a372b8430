//! Connecting to a clinic's PostgreSQL store the way libpq does: the address
//! (`postgres://ROLE@HOST:PORT/DATABASE?sslmode=...`) filled in from `PGHOST`, `PGPORT`,
//! `PGUSER`, `PGDATABASE` and `PGSSLMODE`; the password from `PGPASSWORD`, then `~/.pgpass`
//! (or `PGPASSFILE`), then a prompt on the terminal. TLS is required by default
//! (`sslmode=require`: encrypted; `verify-full` also checks the server's certificate against
//! `sslrootcert` or the system's authorities); a plain connection needs the explicit
//! `--insecure-plain` and is warned about. Each failure to connect is one sentence with exit 9.

use std::time::Duration;

use anyhow::Result;

use crate::error::RomcamError;

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No TLS (only with `--insecure-plain`).
    Disable,
    /// TLS, the certificate not checked (libpq's `require`).
    Require,
    /// TLS, the certificate checked against the authorities and the host name.
    VerifyFull,
}

/// A parsed store address, before the password is looked up.
#[derive(Debug, Clone)]
pub struct ServerAddress {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub dbname: String,
    pub tls: TlsMode,
    pub root_cert: Option<String>,
    /// Given in the address itself (only accepted on the command line).
    password: Option<String>,
}

impl ServerAddress {
    /// The address as shown in messages (never with a password).
    pub fn display(&self) -> String {
        format!("postgres://{}@{}:{}/{}", self.user, self.host, self.port, self.dbname)
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `--store` / `store =` names a PostgreSQL store.
pub fn is_server_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// Parses a `postgres://` address, filling what it leaves out from the libpq environment.
pub fn parse(url: &str, insecure_plain: bool) -> Result<ServerAddress> {
    let bad = |why: &str| -> anyhow::Error {
        RomcamError::Input(format!("the store address {url:?} is not a PostgreSQL address: {why}")).into()
    };
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| bad("it must start with postgres://"))?;
    let (main, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = main.split_once('/').unwrap_or((main, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
            None => (Some(percent_decode(u)), None),
        },
        None => (None, None),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), Some(p.parse::<u16>().map_err(|_| bad("the port is not a number"))?)),
        None => (hostport.to_string(), None),
    };
    let mut sslmode = env("PGSSLMODE");
    let mut root_cert = env("PGSSLROOTCERT");
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "sslmode" => sslmode = Some(v.to_string()),
            "sslrootcert" => root_cert = Some(percent_decode(v)),
            "application_name" | "connect_timeout" => {}
            other => return Err(bad(&format!("romcam does not know the parameter {other:?}"))),
        }
    }
    let tls = match sslmode.as_deref() {
        _ if insecure_plain => TlsMode::Disable,
        None | Some("require") | Some("verify-ca") if root_cert.is_none() => TlsMode::Require,
        None | Some("require") | Some("verify-ca") | Some("verify-full") => TlsMode::VerifyFull,
        Some("disable") | Some("allow") | Some("prefer") => {
            return Err(RomcamError::Input(format!(
                "the store address asks for sslmode={}, which may send health data unencrypted; use sslmode=require, or add --insecure-plain to allow a plain connection",
                sslmode.as_deref().unwrap_or("")
            ))
            .into())
        }
        Some(other) => return Err(bad(&format!("sslmode={other} is not one of require, verify-ca, verify-full"))),
    };
    let user = user
        .filter(|u| !u.is_empty())
        .or_else(|| env("PGUSER"))
        .or_else(|| env("USER"))
        .ok_or_else(|| bad("no role given (postgres://ROLE@HOST/DATABASE or $PGUSER)"))?;
    let host = Some(percent_decode(&host))
        .filter(|h| !h.is_empty())
        .or_else(|| env("PGHOST"))
        .unwrap_or_else(|| "localhost".into());
    let port = match port {
        Some(p) => p,
        None => match env("PGPORT") {
            Some(p) => p.parse().map_err(|_| bad("$PGPORT is not a number"))?,
            None => 5432,
        },
    };
    let dbname = Some(percent_decode(path))
        .filter(|d| !d.is_empty())
        .or_else(|| env("PGDATABASE"))
        .unwrap_or_else(|| user.clone());
    Ok(ServerAddress { host, port, user, dbname, tls, root_cert, password })
}

/// The password from `~/.pgpass` (or `$PGPASSFILE`) for this address, as libpq reads it:
/// `host:port:database:user:password` lines, `*` matching anything.
fn pgpass(a: &ServerAddress) -> Option<String> {
    let file = env("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let port = a.port.to_string();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => cur.extend(chars.next()),
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 5 {
            continue;
        }
        let want = [a.host.as_str(), port.as_str(), a.dbname.as_str(), a.user.as_str()];
        if fields.iter().zip(want).all(|(f, w)| f == "*" || f == w) {
            return Some(fields[4].clone());
        }
    }
    None
}

fn tls_connector(a: &ServerAddress) -> Result<postgres_openssl::MakeTlsConnector> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    let setup = |e: openssl::error::ErrorStack| -> anyhow::Error {
        RomcamError::Setup(format!("cannot set up TLS for the clinic store: {e}")).into()
    };
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(setup)?;
    match a.tls {
        TlsMode::VerifyFull => {
            if let Some(ca) = &a.root_cert {
                builder.set_ca_file(ca).map_err(|e| {
                    anyhow::Error::from(RomcamError::Setup(format!(
                        "the certificate authority file {ca} cannot be read: {e}"
                    )))
                })?;
            }
            builder.set_verify(SslVerifyMode::PEER);
        }
        _ => builder.set_verify(SslVerifyMode::NONE),
    }
    let mut connector = postgres_openssl::MakeTlsConnector::new(builder.build());
    if a.tls != TlsMode::VerifyFull {
        connector.set_callback(|c, _| {
            c.set_verify_hostname(false);
            Ok(())
        });
    }
    Ok(connector)
}

/// Connects, turning each way of failing into one sentence (exit 9).
pub fn connect(a: &ServerAddress) -> Result<postgres::Client> {
    let mut config = postgres::Config::new();
    config
        .host(&a.host)
        .port(a.port)
        .user(&a.user)
        .dbname(&a.dbname)
        .application_name("romcam")
        .connect_timeout(Duration::from_secs(10))
        .keepalives_idle(Duration::from_secs(30));
    let password = a.password.clone().or_else(|| env("PGPASSWORD")).or_else(|| pgpass(a));
    if let Some(p) = &password {
        config.password(p);
    }
    config.ssl_mode(if a.tls == TlsMode::Disable {
        postgres::config::SslMode::Disable
    } else {
        postgres::config::SslMode::Require
    });
    if a.tls == TlsMode::Disable {
        eprintln!(
            "warning: the connection to the clinic store {} is NOT encrypted (--insecure-plain): health data crosses the network in clear text",
            a.display()
        );
    }
    let result = if a.tls == TlsMode::Disable {
        config.connect(postgres::NoTls)
    } else {
        config.connect(tls_connector(a)?)
    };
    match result {
        Ok(c) => Ok(c),
        Err(e)
            if password.is_none()
                && is_password_request(&e)
                && std::io::IsTerminal::is_terminal(&std::io::stdin()) =>
        {
            let p = rpassword::prompt_password(format!("Password for {} on {}: ", a.user, a.host))
                .map_err(|e| RomcamError::Input(format!("cannot read the password: {e}")))?;
            config.password(&p);
            let again = if a.tls == TlsMode::Disable {
                config.connect(postgres::NoTls)
            } else {
                config.connect(tls_connector(a)?)
            };
            again.map_err(|e| connect_error(a, &e))
        }
        Err(e) => Err(connect_error(a, &e)),
    }
}

fn is_password_request(e: &postgres::Error) -> bool {
    let text = e.to_string();
    text.contains("password missing") || text.contains("password authentication failed")
}

/// One sentence for a failed connection.
fn connect_error(a: &ServerAddress, e: &postgres::Error) -> anyhow::Error {
    let text = e.to_string();
    let db_code = e.code().map(|c| c.code().to_string());
    let what = match db_code.as_deref() {
        Some("28P01") | Some("28000") => format!(
            "the clinic store {} refused role {}: authentication failed (check ~/.pgpass or $PGPASSWORD)",
            a.display(),
            a.user
        ),
        Some("3D000") => format!("the clinic store {} has no database {}", a.display(), a.dbname),
        _ if text.contains("password missing") => format!(
            "the clinic store {} asks for a password for role {} and none was found ($PGPASSWORD, ~/.pgpass, or run romcam in a terminal to be asked)",
            a.display(),
            a.user
        ),
        _ if text.contains("TLS") || text.contains("ssl") || text.contains("SSL") || text.contains("certificate") => format!(
            "the clinic store {} refused a TLS connection or its certificate was not trusted ({}); nothing is sent without TLS unless --insecure-plain",
            a.display(),
            first_line(&text)
        ),
        _ => format!(
            "the clinic store {} cannot be reached ({}); check the address and that the server is running",
            a.display(),
            first_line(&text)
        ),
    };
    RomcamError::Unavailable(what).into()
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim_end_matches('.').to_string()
}
