// Rule: boot and shutdown hooks take no arguments.
use xpander_runtime::on_boot;

#[on_boot]
async fn boot(port: u16) {
    let _ = port;
}

fn main() {}
