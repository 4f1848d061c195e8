//! The agent's wire defaults: the Python SDK 2.0.537 value of a key the platform leaves out
//! (or sends as `null`), where the type's `Default` is not it.

use super::enums::AccessScope;
use crate::model::decode::wire_default;
use crate::model::enums::OutputFormat;

wire_default! {
    pub(super) default_true, true_if_null: bool = true;
    pub(super) default_icon, icon_if_null: String = "🚀".to_owned();
    pub(super) default_output_format, output_format_if_null: OutputFormat = OutputFormat::Markdown;
    pub(super) default_version, version_if_null: i64 = 1;
    pub(super) default_max_self_schedules, max_self_schedules_if_null: i64 = 3;
}

/// `access_scope` defaults to organizational; `null` stays `None` (the Python SDK models "unset").
pub(super) fn default_access_scope() -> Option<AccessScope> {
    Some(AccessScope::Organizational)
}

/// `agno_settings.num_history_runs` defaults to 50; `null` stays `None` (Agno's own default).
pub(super) fn default_num_history_runs() -> Option<i64> {
    Some(50)
}
