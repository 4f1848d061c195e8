// Every supported form of #[register_tool] and the tool hooks, each still callable as written.
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xpander_runtime::model::ToolCallInfo;
use xpander_runtime::{on_tool_after, on_tool_before, on_tool_error};

#[derive(Serialize)]
struct Forecast {
    city: String,
    celsius: i32,
}

/// Looks up the weather of a city.
#[xpander_runtime::register_tool]
async fn weather(city: String, days: Option<u32>) -> Forecast {
    let _ = days;
    Forecast { city, celsius: 4 }
}

/// Adds two numbers; fails on overflow.
#[xpander_runtime::register_tool(name = "add_numbers", add_to_graph = true)]
fn add(a: i64, b: i64) -> Result<i64, String> {
    a.checked_add(b).ok_or_else(|| "overflow".to_owned())
}

/// A booking request.
#[derive(Deserialize, schemars::JsonSchema)]
struct Booking {
    /// Where to.
    destination: String,
    seats: u8,
}

/// Books seats; the whole input is one struct.
#[xpander_runtime::register_tool]
async fn book(request: Booking) -> Result<Value, std::io::Error> {
    Ok(json!({"booked": request.seats, "to": request.destination}))
}

/// Says hello; takes nothing.
#[xpander_runtime::register_tool]
fn hello() -> &'static str {
    "hello"
}

#[on_tool_before]
async fn before(call: &ToolCallInfo) {
    let _ = &call.name;
}

#[on_tool_after]
fn after(call: &ToolCallInfo, result: &Value) -> Result<(), String> {
    let _ = (call, result);
    Ok(())
}

#[on_tool_error]
async fn failed(call: &ToolCallInfo, error: &str) {
    let _ = (call, error);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert_eq!(runtime.block_on(weather("Oslo".into(), None)).celsius, 4);
    assert_eq!(add(1, 2), Ok(3));
    let _ = (book, hello, before, after, failed);

    let tools = xpander_runtime::registry::local_tools();
    let names: Vec<&str> = tools.iter().map(|t| t.name()).collect();
    assert_eq!(names, ["add_numbers", "book", "hello", "weather"]);
    let weather = xpander_runtime::registry::local_tool("weather").unwrap();
    assert_eq!(weather.description(), "Looks up the weather of a city.");
    let schema = weather.parameters();
    assert_eq!(schema["required"], json!(["city"]));
    assert_eq!(schema["properties"]["city"]["type"], "string");
    let book = xpander_runtime::registry::local_tool("book").unwrap().parameters();
    assert_eq!(book["properties"]["destination"]["description"], "Where to.");
    assert!(xpander_runtime::registry::local_tool("add_numbers").unwrap().add_to_graph());
    assert_eq!(xpander_runtime::registry::before_tool_hooks().len(), 1);
}
