//! What the store commands print: clients, history, comparisons, export, import, delete.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use crate::error::{RomcamError, EXIT_OK};
use crate::store::compare::{Comparison, Selection};
use crate::store::Store;

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:+.1}°")).unwrap_or_else(|| "withheld".into())
}

pub fn clients(store: &Store, json: bool) -> Result<i32> {
    let list = store.clients()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "clients": list }))?);
    } else if list.is_empty() {
        println!("no clients in {}", store.path.display());
    } else {
        println!("{:<20} {:>8} {:>11}  last session", "client", "sessions", "assessments");
        for c in list {
            println!(
                "{:<20} {:>8} {:>11}  {}",
                c.code,
                c.sessions,
                c.assessments,
                c.last_session.unwrap_or_default()
            );
        }
    }
    Ok(EXIT_OK)
}

pub fn history(store: &Store, client: &str, json: bool) -> Result<i32> {
    let list = store.history(client)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "client": client, "assessments": list }))?
        );
        return Ok(EXIT_OK);
    }
    for side in ["left", "right"] {
        let rows: Vec<_> = list.iter().filter(|a| a.side == side).collect();
        if rows.is_empty() {
            continue;
        }
        println!("{side} leg");
        println!(
            "  {:>4}  {:<10}  {:<6}  {:>14}  {:>12}",
            "id", "session", "phase", "hip extension", "knee flexion"
        );
        for a in rows {
            println!(
                "  {:>4}  {:<10}  {:<6}  {:>14}  {:>12}",
                a.id,
                a.session_date,
                a.phase,
                opt(a.hip_extension_deg),
                a.knee_flexion_deg.map(|k| format!("{k:.1}°")).unwrap_or_else(|| "withheld".into())
            );
        }
    }
    Ok(EXIT_OK)
}

pub fn comparison_text(c: &Comparison) -> String {
    let mut out = format!("Client {}: before/after change (after minus before)\n", c.client);
    for ch in &c.changes {
        out.push_str(&format!(
            "  {} leg: hip extension {:+.1}° -> {:+.1}° (change {:+.1}°, MDC95 {:.1}°: {}); knee flexion change {} (MDC95 {:.1}°)\n",
            ch.side,
            ch.before.hip_extension_deg,
            ch.after.hip_extension_deg,
            ch.hip_extension_change_deg,
            ch.mdc95_deg,
            if ch.real { "real" } else { "not real" },
            ch.knee_flexion_change_deg.map(|k| format!("{k:+.1}°")).unwrap_or_else(|| "n/a".into()),
            ch.knee_mdc95_deg
        ));
        out.push_str(&format!("    {}\n", ch.verdict));
    }
    if let Some(a) = c.asymmetry.after_left_minus_right_deg {
        out.push_str(&format!(
            "  left/right asymmetry of hip extension: before {}, after {a:+.1}°\n",
            c.asymmetry
                .before_left_minus_right_deg
                .map(|b| format!("{b:+.1}°"))
                .unwrap_or_else(|| "n/a".into())
        ));
    }
    out.push_str(&format!(
        "  ({}; SEM hip {:.1}°, knee {:.1}°)\n",
        c.mdc_method, c.sem_hip_deg, c.sem_knee_deg
    ));
    out
}

pub fn compare(store: &Store, client: &str, selection: &Selection, json: bool) -> Result<i32> {
    let c = store.compare(client, selection)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&c)?);
    } else {
        print!("{}", comparison_text(&c));
    }
    Ok(EXIT_OK)
}

pub fn export(store: &Store, client: &str, out: Option<&Path>, force: bool) -> Result<i32> {
    let export = store.export_client(client)?;
    let text = serde_json::to_string_pretty(&export)?;
    match out {
        Some(path) => crate::fsutil::write_atomic(path, text.as_bytes(), force)?,
        None => println!("{text}"),
    }
    Ok(EXIT_OK)
}

/// Imports an export already read and checked (see `store::transfer::read_export_file`, which
/// runs before the store is opened, so that a refused file leaves no store behind).
pub fn import(store: &mut Store, export: &crate::store::transfer::ClientExport) -> Result<i32> {
    let s = store.import_client(export)?;
    println!(
        "imported client {}: {} new sessions, {} new assessments ({} already present)",
        s.client, s.sessions_added, s.assessments_added, s.assessments_already_present
    );
    Ok(EXIT_OK)
}

pub fn delete(store: &mut Store, client: &str, yes: bool) -> Result<i32> {
    store.require_client(client)?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(RomcamError::Store(format!(
                "not deleting client {client:?}: confirm at a terminal, or pass --yes"
            ))
            .into());
        }
        eprint!("Erase client {client} and all their assessments? This cannot be undone. Type the client code to confirm: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        if line.trim() != client {
            eprintln!("romcam: nothing was deleted");
            return Ok(EXIT_OK);
        }
    }
    let n = store.delete_client(client)?;
    println!("erased client {client} and {n} assessments");
    Ok(EXIT_OK)
}
