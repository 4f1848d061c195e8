async fn login(agent: &Agent, task: &Task, event: &TaskUpdateEvent) {}
#[doc(hidden)]
const _: () = {
    fn __xpander_call<'a>(
        agent: &'a ::xpander_runtime::__private::Agent,
        task: &'a ::xpander_runtime::__private::Task,
        event: &'a ::xpander_runtime::__private::TaskUpdateEvent,
    ) -> ::xpander_runtime::__private::BoxFuture<'a, ::xpander_runtime::__private::HookResult> {
        ::std::boxed::Box::pin(async move {
            < () as :: xpander_runtime :: __private :: IntoHookResult > :: into_hook_result (login (< & Agent as :: xpander_runtime :: __private :: AuthAgentArgument < '_ >> :: from_agent (agent) , < & Task as :: xpander_runtime :: __private :: AuthTaskArgument < '_ >> :: from_task (task) , < & TaskUpdateEvent as :: xpander_runtime :: __private :: AuthEventArgument < '_ >> :: from_event (event)) . await)
        })
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: AuthHook :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "login" , file : :: core :: file ! () , line : :: core :: line ! () , } , __xpander_call) }
};
