//! Adapter: a LivePerson Messaging Interactions API response (the JSON of
//! `conversations/search`) converted to the §13 event log. Written from
//! LivePerson's public API documentation; the mapping (also in
//! `docs/calibration.md`):
//!
//! | LivePerson | §13 row |
//! |---|---|
//! | `info.startTimeL` (ms since the epoch) | `arrived` (the consumer's first message is this row) |
//! | `agentParticipants[]` with `role` `ASSIGNED_AGENT`: `timeL`, `agentId`, `agentGroupName` | `assigned` (agent, group) |
//! | `messageRecords[]`, `sentBy` `Consumer`, after the first | `consumer_message` |
//! | `messageRecords[]`, `sentBy` `Agent`: `participantId` | `agent_message` (agent; group from its participant record) |
//! | `transfers[]`: `timeL`, `targetSkillName` | `transferred` (skill = the target) |
//! | `info.endTimeL` with `closeReason` `AGENT` / `CONSUMER` / `SYSTEM` | `closed` with detail `agent` / `consumer` / `auto_close` |
//! | `info.endTimeL` with no assigned agent ever | `abandoned` |
//!
//! The skill of the arrival is the first transfer's `sourceSkillName`, else
//! `info.latestSkillName`; the consumer is the first
//! `consumerParticipants[].participantId`, else the participant of the
//! first consumer message. The channel is `messaging`. Managers and
//! readers (other roles) are not assignments. A conversation still open
//! (`endTimeL` absent, or `status` `OPEN`) gets no closing row. The rows
//! are sorted by time (ties keep each conversation's order).

use super::log::{CalibrateError, format_rfc3339};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;

fn field_error(file: &str, at: &str, message: &str) -> CalibrateError {
    CalibrateError::File {
        file: file.to_string(),
        message: format!("{at}: {message}"),
    }
}

fn ms(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.parse().ok())
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn id(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

struct Row {
    t: f64,
    order: usize,
    event: &'static str,
    conv: String,
    consumer: String,
    skill: String,
    agent: String,
    group: String,
    detail: String,
}

/// Converts the JSON text of a Messaging Interactions response (`file`
/// names it in messages) to a §13 log (CSV text with a header).
pub fn convert(json: &str, file: &str) -> Result<String, CalibrateError> {
    let root: Value = serde_json::from_str(json).map_err(|e| CalibrateError::At {
        file: file.to_string(),
        line: e.line() as u64,
        column: e.column(),
        name: "json".into(),
        message: format!("not a JSON document: {e}"),
    })?;
    let records = root
        .get("conversationHistoryRecords")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            field_error(
                file,
                "conversationHistoryRecords",
                "missing: expected the array of a Messaging Interactions conversations response",
            )
        })?;
    let mut rows: Vec<Row> = Vec::new();
    for (i, rec) in records.iter().enumerate() {
        let at = |k: &str| format!("conversationHistoryRecords[{i}].{k}");
        let info = rec
            .get("info")
            .ok_or_else(|| field_error(file, &at("info"), "missing"))?;
        let conv = id(info, "conversationId");
        if conv.is_empty() {
            return Err(field_error(file, &at("info.conversationId"), "missing"));
        }
        let start = info.get("startTimeL").and_then(ms).ok_or_else(|| {
            field_error(
                file,
                &at("info.startTimeL"),
                "missing or not a number of milliseconds",
            )
        })?;
        let arr = |k: &str| {
            rec.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let mut transfers = arr("transfers");
        transfers.sort_by(|a, b| {
            ms(&a["timeL"])
                .unwrap_or(0.0)
                .total_cmp(&ms(&b["timeL"]).unwrap_or(0.0))
        });
        let mut skill = transfers
            .first()
            .map(|t| text(t, "sourceSkillName").to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| text(info, "latestSkillName").to_string());
        if skill.is_empty() {
            skill = "unknown".into();
        }
        let mut messages = arr("messageRecords");
        messages.sort_by(|a, b| {
            ms(&a["timeL"])
                .unwrap_or(0.0)
                .total_cmp(&ms(&b["timeL"]).unwrap_or(0.0))
        });
        let consumer = arr("consumerParticipants")
            .first()
            .map(|c| id(c, "participantId"))
            .filter(|s| !s.is_empty())
            .or_else(|| {
                messages
                    .iter()
                    .find(|m| text(m, "sentBy") == "Consumer")
                    .map(|m| id(m, "participantId"))
            })
            .unwrap_or_else(|| conv.clone());
        let participants = arr("agentParticipants");
        let groups: HashMap<String, String> = participants
            .iter()
            .map(|p| (id(p, "agentId"), text(p, "agentGroupName").to_string()))
            .collect();
        // (time, kind rank, event, skill change, agent, detail)
        let mut evs: Vec<(f64, &'static str, Option<String>, String, String)> = Vec::new();
        let mut assigned = false;
        for (j, p) in participants.iter().enumerate() {
            if text(p, "role") == "ASSIGNED_AGENT" {
                let t = ms(&p["timeL"]).ok_or_else(|| {
                    field_error(
                        file,
                        &at(&format!("agentParticipants[{j}].timeL")),
                        "missing",
                    )
                })?;
                evs.push((t, "assigned", None, id(p, "agentId"), String::new()));
                assigned = true;
            }
        }
        let mut first_consumer = true;
        for (j, m) in messages.iter().enumerate() {
            let t = ms(&m["timeL"]).ok_or_else(|| {
                field_error(file, &at(&format!("messageRecords[{j}].timeL")), "missing")
            })?;
            match text(m, "sentBy") {
                "Consumer" if first_consumer && t <= start + 1.0 => first_consumer = false,
                "Consumer" => {
                    first_consumer = false;
                    evs.push((t, "consumer_message", None, String::new(), String::new()));
                }
                "Agent" => evs.push((
                    t,
                    "agent_message",
                    None,
                    id(m, "participantId"),
                    String::new(),
                )),
                _ => {}
            }
        }
        for (j, tr) in transfers.iter().enumerate() {
            let t = ms(&tr["timeL"]).ok_or_else(|| {
                field_error(file, &at(&format!("transfers[{j}].timeL")), "missing")
            })?;
            let target = text(tr, "targetSkillName");
            if target.is_empty() {
                return Err(field_error(
                    file,
                    &at(&format!("transfers[{j}].targetSkillName")),
                    "missing",
                ));
            }
            evs.push((
                t,
                "transferred",
                Some(target.to_string()),
                String::new(),
                String::new(),
            ));
        }
        let open = text(info, "status") == "OPEN";
        if let Some(end) = info
            .get("endTimeL")
            .and_then(ms)
            .filter(|&e| e > 0.0 && !open)
        {
            if assigned {
                let detail = match text(info, "closeReason") {
                    "AGENT" => "agent",
                    "CONSUMER" => "consumer",
                    "SYSTEM" => "auto_close",
                    _ => "",
                };
                evs.push((end, "closed", None, String::new(), detail.into()));
            } else {
                evs.push((end, "abandoned", None, String::new(), String::new()));
            }
        }
        evs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let order = rows.len();
        rows.push(Row {
            t: start,
            order,
            event: "arrived",
            conv: conv.clone(),
            consumer: consumer.clone(),
            skill: skill.clone(),
            agent: String::new(),
            group: String::new(),
            detail: String::new(),
        });
        for (t, event, target, agent, detail) in evs {
            if let Some(s) = target {
                skill = s;
            }
            let group = groups.get(&agent).cloned().unwrap_or_default();
            rows.push(Row {
                t: t.max(start),
                order: rows.len(),
                event,
                conv: conv.clone(),
                consumer: consumer.clone(),
                skill: skill.clone(),
                agent,
                group,
                detail,
            });
        }
    }
    rows.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.order.cmp(&b.order)));
    let mut out =
        String::from("time,event,conversation,consumer,skill,channel,agent,group,detail\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},messaging,{},{},{}",
            format_rfc3339(r.t / 1000.0),
            r.event,
            csv(&r.conv),
            csv(&r.consumer),
            csv(&r.skill),
            csv(&r.agent),
            csv(&r.group),
            csv(&r.detail)
        );
    }
    Ok(out)
}
