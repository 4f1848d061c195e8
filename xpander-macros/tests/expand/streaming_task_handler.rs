async fn handle(task: Task, stream: TaskStream) -> Result<Task, String> {
    Ok(task)
}
#[doc(hidden)]
const _: () = {
    fn __xpander_call(
        task: ::xpander_runtime::__private::Task,
        stream: ::xpander_runtime::__private::TaskStream,
    ) -> ::xpander_runtime::__private::BoxFuture<'static, ::xpander_runtime::__private::HandlerResult>
    {
        ::std::boxed::Box::pin(async move {
            <Result<Task, String> as ::xpander_runtime::__private::IntoTaskResult>::into_task_result(
                handle(
                    <Task as ::xpander_runtime::__private::TaskArgument>::from_task(task),
                    <TaskStream as ::xpander_runtime::__private::TaskStreamArgument>::from_stream(
                        stream,
                    ),
                )
                .await,
            )
        })
    }
    ::xpander_runtime::__private::inventory::submit! { :: xpander_runtime :: __private :: TaskHandler :: new (:: xpander_runtime :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "handle" , file : :: core :: file ! () , line : :: core :: line ! () , } , :: xpander_runtime :: __private :: TaskFn :: Streaming (__xpander_call) , :: core :: option :: Option :: None , :: core :: option :: Option :: None , :: core :: option :: Option :: None ,) }
};
