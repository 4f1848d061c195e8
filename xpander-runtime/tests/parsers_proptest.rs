//! Property tests of what the worker reads off the wire: arbitrary bytes through the SSE parser
//! (`xpander_runtime::sse` over a byte stream cut into arbitrary chunks, as the worker's
//! connection reads it), and arbitrary JSON through the decoders of the events it handles
//! (`Task`, `DeployedAsset`, `EnvironmentConflict`). Errors are expected; a panic never is.
//!
//! Case counts are kept small for CI; `PROPTEST_CASES=5000 cargo test -p xpander-runtime --test parsers_proptest`
//! runs more.

use std::path::Path;

use bytes::Bytes;
use futures_util::{FutureExt, StreamExt, stream};
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value};
use xpander_runtime::model::{DeployedAsset, EnvironmentConflict, Task, WorkerEventType, decode};
use xpander_runtime::sse::{DEFAULT_MAX_EVENT, EventStream, SseEvent};

/// Cases per property unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 256;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Parses `bytes` delivered in chunks (cut at `cuts`) as the worker's connection does.
fn parse(bytes: &[u8], cuts: &[usize]) -> Vec<Result<SseEvent, String>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    ends.sort_unstable();
    for end in ends.into_iter().chain([bytes.len()]) {
        if end >= start {
            chunks.push(bytes[start..end].to_vec());
            start = end;
        }
    }
    let chunks = stream::iter(chunks.into_iter().map(|c| Ok::<_, String>(Bytes::from(c))));
    let events = EventStream::new(chunks, DEFAULT_MAX_EVENT).collect::<Vec<_>>();
    // An in-memory stream is always ready: no runtime needed.
    events
        .now_or_never()
        .expect("an in-memory stream never waits")
}

/// What the worker does with an event: decode its data by event name.
fn handle(event: &SseEvent) {
    let data = event.data.as_bytes();
    match WorkerEventType::from(event.event.as_str()) {
        WorkerEventType::WorkerRegistration => {
            let _ = decode::<DeployedAsset>("worker-registration", data);
        }
        WorkerEventType::AgentExecution => decode_task(data),
        WorkerEventType::WorkerEnvironmentConflict => {
            let _ = decode::<EnvironmentConflict>("worker-environment-conflict", data);
        }
        _ => {}
    }
}

/// Decodes a task; one that decodes must also encode and decode again (the worker saves it).
fn decode_task(bytes: &[u8]) {
    if let Ok(task) = decode::<Task>("agent-execution", bytes) {
        let again = serde_json::to_vec(&task).expect("a decoded task encodes");
        if let Err(e) = decode::<Task>("saved task", &again) {
            panic!("a decoded task does not decode after saving: {e}");
        }
    }
}

/// Any JSON value, with object keys often drawn from the task's own keys.
fn json(keys: Vec<String>) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z?"
            .prop_map(Value::String),
    ];
    let key = prop_oneof![
        3 => prop::sample::select(keys),
        1 => "[a-z_]{1,10}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A full task as the platform sends it (the protocol notes' fixture).
fn seed_task() -> Map<String, Value> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/task.get_response.json");
    let text = std::fs::read_to_string(path).expect("the task fixture");
    serde_json::from_str(&text).expect("the task fixture is a JSON object")
}

/// Every key of the seed task, nested ones included.
fn task_keys() -> Vec<String> {
    fn walk(value: &Value, keys: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    keys.push(k.clone());
                    walk(v, keys);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, keys)),
            _ => {}
        }
    }
    let mut keys = Vec::new();
    walk(&Value::Object(seed_task()), &mut keys);
    keys.sort();
    keys.dedup();
    keys
}

/// One SSE line: the fields the worker reads, with arbitrary values, and comments.
fn sse_line() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("agent-execution".to_owned()),
        Just("worker-registration".to_owned()),
        Just("worker-environment-conflict".to_owned()),
        ".{0,10}",
    ];
    prop_oneof![
        name.prop_map(|n| format!("event: {n}")),
        ".{0,40}".prop_map(|d| format!("data: {d}")),
        json(task_keys()).prop_map(|v| format!("data:{v}")),
        ".{0,8}".prop_map(|id| format!("id: {id}")),
        "[0-9a-z]{0,6}".prop_map(|r| format!("retry: {r}")),
        ".{0,10}".prop_map(|c| format!(":{c}")),
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_the_sse_parser_and_a_later_task_arrives(
        bom in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        // Garbage, possibly after a byte-order mark, then a valid task: the task must arrive.
        let mut stream = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        stream.extend(&bytes);
        stream.extend(b"\n\nevent: agent-execution\ndata: {\"id\": \"after-garbage\"}\n\n");
        let events = parse(&stream, &cuts);
        for event in events.iter().flatten() {
            handle(event);
        }
        let last = events.last().and_then(|e| e.as_ref().ok());
        prop_assert_eq!(last.map(|e| e.event.as_str()), Some("agent-execution"));
        prop_assert_eq!(last.map(|e| e.data.as_str()), Some("{\"id\": \"after-garbage\"}"));
    }

    #[test]
    fn arbitrary_event_streams_never_panic_the_worker_path(
        lines in prop::collection::vec(
            (sse_line(), prop::sample::select(vec!["\n", "\r\n", "\r"])),
            0..24,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let text: String = lines.iter().map(|(line, end)| format!("{line}{end}")).collect();
        for event in parse(text.as_bytes(), &cuts).into_iter().flatten() {
            handle(&event);
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_decoders(value in json(task_keys())) {
        let bytes = serde_json::to_vec(&value).unwrap();
        decode_task(&bytes);
        let _ = decode::<DeployedAsset>("worker-registration", &bytes);
        let _ = decode::<EnvironmentConflict>("worker-environment-conflict", &bytes);
    }

    #[test]
    fn a_task_with_arbitrary_fields_never_panics_the_decoder(
        replaced in prop::collection::vec(
            (prop::sample::select(task_keys()), json(task_keys())),
            1..6,
        ),
        removed in prop::collection::vec(prop::sample::select(task_keys()), 0..4),
    ) {
        let mut task = seed_task();
        for (key, value) in replaced {
            task.insert(key, value);
        }
        for key in removed {
            task.remove(&key);
        }
        decode_task(&serde_json::to_vec(&task).unwrap());
    }

    #[test]
    fn truncated_and_corrupted_tasks_never_panic_the_decoder(
        cut in any::<usize>(),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let mut bytes = serde_json::to_vec(&seed_task()).unwrap();
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut % (bytes.len() + 1));
        decode_task(&bytes);
    }
}
