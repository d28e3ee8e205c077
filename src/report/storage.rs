//! The device's own copy of what must never be lost: the draft being typed and the reports
//! waiting to be sent, photos included, in IndexedDB (the only browser storage that holds
//! `Blob`s and survives a reload, a crash and a closed tab).
//!
//! One object store of records `{json, photos}`: the JSON of a draft or a queued report, and
//! its photos as `Blob`s. Written directly on web-sys rather than with an IndexedDB crate: four
//! calls are all this app needs, and each crate adds its own futures layer to the report chunk.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, IdbDatabase, IdbKeyRange, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "quartier";
const VERSION: u32 = 1;
const STORE: &str = "reports";

/// One stored record.
#[derive(Clone, Debug)]
pub struct Record {
    pub json: String,
    pub photos: Vec<Blob>,
}

/// Why storage failed (private browsing without IndexedDB, quota, a blocked upgrade).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("device storage: {0}")]
pub struct StorageError(pub String);

impl From<JsValue> for StorageError {
    fn from(value: JsValue) -> Self {
        StorageError(
            value
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{value:?}")),
        )
    }
}

/// Resolves with the request's result once it succeeds.
async fn done(request: &IdbRequest) -> Result<JsValue, StorageError> {
    let promise = Promise::new(&mut |resolve, reject| {
        let target = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(
                &JsValue::NULL,
                &target.result().unwrap_or(JsValue::UNDEFINED),
            );
        });
        let target = request.clone();
        let on_error = Closure::once_into_js(move || {
            let error = target
                .error()
                .ok()
                .flatten()
                .map(|e| JsValue::from(e.message()))
                .unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    Ok(JsFuture::from(promise).await?)
}

async fn open() -> Result<IdbDatabase, StorageError> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StorageError("IndexedDB is not available".into()))?;
    let request = factory.open_with_u32(DATABASE, VERSION)?;
    let upgrade = Closure::once_into_js({
        let request = request.clone();
        move || {
            if let Ok(result) = request.result()
                && let Ok(database) = result.dyn_into::<IdbDatabase>()
                && !database.object_store_names().contains(STORE)
            {
                let _ = database.create_object_store(STORE);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    Ok(done(&request).await?.dyn_into::<IdbDatabase>()?)
}

fn store(
    database: &IdbDatabase,
    mode: IdbTransactionMode,
) -> Result<web_sys::IdbObjectStore, StorageError> {
    Ok(database
        .transaction_with_str_and_mode(STORE, mode)?
        .object_store(STORE)?)
}

/// Stores `record` under `key`, replacing what was there.
pub async fn put(key: &str, record: &Record) -> Result<(), StorageError> {
    let value = Object::new();
    Reflect::set(&value, &"json".into(), &record.json.as_str().into())?;
    let photos: Array = record.photos.iter().cloned().map(JsValue::from).collect();
    Reflect::set(&value, &"photos".into(), &photos)?;
    let database = open().await?;
    let request =
        store(&database, IdbTransactionMode::Readwrite)?.put_with_key(&value, &key.into())?;
    done(&request).await?;
    database.close();
    Ok(())
}

/// The record under `key`, if any.
pub async fn get(key: &str) -> Result<Option<Record>, StorageError> {
    let database = open().await?;
    let request = store(&database, IdbTransactionMode::Readonly)?.get(&key.into())?;
    let value = done(&request).await?;
    database.close();
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let json = Reflect::get(&value, &"json".into())?
        .as_string()
        .unwrap_or_default();
    let photos = Reflect::get(&value, &"photos".into())?
        .dyn_into::<Array>()
        .map(|list| {
            list.iter()
                .filter_map(|photo| photo.dyn_into::<Blob>().ok())
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Record { json, photos }))
}

/// Forgets the record under `key`.
pub async fn delete(key: &str) -> Result<(), StorageError> {
    let database = open().await?;
    let request = store(&database, IdbTransactionMode::Readwrite)?.delete(&key.into())?;
    done(&request).await?;
    database.close();
    Ok(())
}

/// The keys that start with `prefix`, in key order.
pub async fn keys(prefix: &str) -> Result<Vec<String>, StorageError> {
    let range = IdbKeyRange::bound(&prefix.into(), &format!("{prefix}\u{ffff}").into())?;
    let database = open().await?;
    let request = store(&database, IdbTransactionMode::Readonly)?.get_all_keys_with_key(&range)?;
    let value = done(&request).await?;
    database.close();
    Ok(value
        .dyn_into::<Array>()
        .map(|list| list.iter().filter_map(|k| k.as_string()).collect())
        .unwrap_or_default())
}
