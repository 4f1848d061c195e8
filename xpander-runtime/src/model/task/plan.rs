//! A task's plan (deep planning) and whether it lets the task finish.

use serde::{Deserialize, Serialize};

use crate::model::decode::null_default;

/// A task's plan (deep planning).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeepPlanning {
    /// Whether planning is on.
    #[serde(default, deserialize_with = "null_default")]
    pub enabled: bool,
    /// Whether the plan must be completed before the task may finish.
    #[serde(default, deserialize_with = "null_default")]
    pub enforce: bool,
    /// Whether planning has started.
    #[serde(default, deserialize_with = "null_default")]
    pub started: bool,
    /// Whether the agent asked the user a question.
    #[serde(default, deserialize_with = "null_default")]
    pub question_raised: bool,
    /// The plan's items.
    #[serde(default, deserialize_with = "null_default")]
    pub tasks: Vec<DeepPlanningItem>,
}

/// One item of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeepPlanningItem {
    /// Item id.
    pub id: String,
    /// What to do.
    pub title: String,
    /// Whether it is done.
    #[serde(default, deserialize_with = "null_default")]
    pub completed: bool,
}

/// Whether a task may finish, given its plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanFollowingStatus {
    /// Whether the task may finish.
    pub can_finish: bool,
    /// The plan items still open.
    #[serde(default, deserialize_with = "null_default")]
    pub uncompleted_tasks: Vec<DeepPlanningItem>,
}

impl DeepPlanning {
    /// Whether the plan forbids finishing: enforced, started, no open question, and an item
    /// not completed.
    ///
    /// ```
    /// use xpander_runtime::model::{DeepPlanning, DeepPlanningItem};
    ///
    /// let mut plan = DeepPlanning { enabled: true, enforce: true, started: true, ..Default::default() };
    /// plan.tasks.push(DeepPlanningItem { id: "1".into(), title: "step".into(), completed: false });
    /// assert!(!plan.following_status().can_finish);
    /// ```
    pub fn following_status(&self) -> PlanFollowingStatus {
        let open: Vec<DeepPlanningItem> = self
            .tasks
            .iter()
            .filter(|item| !item.completed)
            .cloned()
            .collect();
        if self.enabled && self.started && self.enforce && !self.question_raised && !open.is_empty()
        {
            PlanFollowingStatus {
                can_finish: false,
                uncompleted_tasks: open,
            }
        } else {
            PlanFollowingStatus {
                can_finish: true,
                uncompleted_tasks: Vec::new(),
            }
        }
    }
}
