async fn handle(task: Task) -> Task {
    task
}
#[doc(hidden)]
const _: () = {
    fn __xpander_call(
        task: xr::__private::Task,
    ) -> xr::__private::BoxFuture<'static, xr::__private::HandlerResult> {
        ::std::boxed::Box::pin(async move {
            <Task as xr::__private::IntoTaskResult>::into_task_result(
                handle(<Task as xr::__private::TaskArgument>::from_task(task)).await,
            )
        })
    }
    xr::__private::inventory::submit! { xr :: __private :: TaskHandler :: new (xr :: __private :: HandlerInfo { module_path : :: core :: module_path ! () , name : "handle" , file : :: core :: file ! () , line : :: core :: line ! () , } , xr :: __private :: TaskFn :: Async (__xpander_call) , :: core :: option :: Option :: None , :: core :: option :: Option :: None , :: core :: option :: Option :: None ,) }
};
