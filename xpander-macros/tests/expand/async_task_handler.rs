async fn handle(task: Task) -> Task {
    task
}
#[doc(hidden)]
const _: () = {
    fn __xpander_call(
        task: ::xpander_runtime::__private::Task,
    ) -> ::xpander_runtime::__private::BoxFuture<'static, ::xpander_runtime::__private::HandlerResult>
    {
        ::std::boxed::Box::pin(async move {
            <Task as ::xpander_runtime::__private::IntoTaskResult>::into_task_result(
                handle(<Task as ::xpander_runtime::__private::TaskArgument>::from_task(task)).await,
            )
        })
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: TaskHandler :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "handle" , file : :: core :: file ! () , line : :: core :: line ! () , } , :: xpander_runtime :: __private :: TaskFn :: Async (__xpander_call) , :: core :: option :: Option :: None , :: core :: option :: Option :: None , :: core :: option :: Option :: None ,) }
};
