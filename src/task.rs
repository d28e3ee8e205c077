//! Async work for views: a value a future fills in, and the latest of repeated requests.
//!
//! Why not `LocalResource` and `Action`: both are built on Leptos' async-derived machinery
//! (source tracking, suspense notification, per-type pollers), which this app does not use and
//! which weighs on the wasm of the first load; a signal set by a spawned future is all that is
//! needed here.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local;

/// Runs `future` and returns a signal holding its output once it resolves (`None` before).
/// If the view that asked is gone by then, the output is dropped.
pub fn load<T: Clone + 'static>(
    future: impl Future<Output = T> + 'static,
) -> Signal<Option<T>, LocalStorage> {
    let value = RwSignal::new_local(None);
    spawn_local(async move {
        let output = future.await;
        value.try_set(Some(output));
    });
    value.into()
}

/// Requests that may be repeated (a search typed again, a form sent again): only the answer to
/// the latest one is kept, so a slow earlier answer never overwrites a newer one.
pub struct Latest<T: 'static> {
    value: RwSignal<Option<T>, LocalStorage>,
    pending: RwSignal<bool>,
    generation: StoredValue<u32>,
}

impl<T: 'static> Clone for Latest<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Latest<T> {}

impl<T: Clone + 'static> Latest<T> {
    pub fn new() -> Self {
        Self {
            value: RwSignal::new_local(None),
            pending: RwSignal::new(false),
            generation: StoredValue::new(0),
        }
    }

    /// Starts a request; the previous one, if still running, will be ignored.
    pub fn run(&self, future: impl Future<Output = T> + 'static) {
        let this = *self;
        let Some(generation) = this.generation.try_update_value(|g| {
            *g = g.wrapping_add(1);
            *g
        }) else {
            return;
        };
        this.pending.set(true);
        spawn_local(async move {
            let output = future.await;
            if this.generation.try_get_value() == Some(generation) {
                this.value.try_set(Some(output));
                this.pending.try_set(false);
            }
        });
    }

    /// The answer to the latest request, once it came (reactive).
    pub fn value(&self) -> Option<T> {
        self.value.get()
    }

    /// Forgets the last answer (the view shows "loading" again until the next one).
    pub fn clear(&self) {
        self.value.set(None);
    }

    /// Whether the latest request is still running (reactive).
    pub fn pending(&self) -> bool {
        self.pending.get()
    }
}

impl<T: Clone + 'static> Default for Latest<T> {
    fn default() -> Self {
        Self::new()
    }
}

type MakeFuture<T> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = T>>>>;

/// A read that starts at once and can be started again (Try again): what `<AsyncSection>`
/// shows.
pub struct Retryable<T: 'static> {
    latest: Latest<T>,
    make: StoredValue<MakeFuture<T>, LocalStorage>,
}

impl<T: 'static> Clone for Retryable<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for Retryable<T> {}

impl<T: Clone + 'static> Retryable<T> {
    /// Starts `make()` now; [`Retryable::retry`] calls it again.
    pub fn new<Fut: Future<Output = T> + 'static>(make: impl Fn() -> Fut + 'static) -> Self {
        let make: MakeFuture<T> = Box::new(move || Box::pin(make()));
        let this = Self {
            latest: Latest::new(),
            make: StoredValue::new_local(make),
        };
        this.retry();
        this
    }

    /// Shows "loading" and asks again.
    pub fn retry(&self) {
        let Some(future) = self.make.try_with_value(|make| make()) else {
            return;
        };
        self.latest.clear();
        self.latest.run(future);
    }

    /// The answer, once it came (reactive).
    pub fn signal(&self) -> Signal<Option<T>, LocalStorage> {
        let latest = self.latest;
        Signal::derive_local(move || latest.value())
    }

    /// A callback for the Try again button.
    pub fn retry_callback(&self) -> Callback<()> {
        let this = *self;
        Callback::new(move |_| this.retry())
    }
}
