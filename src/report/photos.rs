//! The "Photo" field: up to [`PHOTOS_MAX`] photos, each re-encoded on the device before it is
//! kept (see [`super::photo`]), shown as previews with a Remove button. A photo that knows
//! where it was taken offers its position as the report's place.

use leptos::prelude::*;
use quartier_api::validation::PHOTOS_MAX;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use crate::i18n::use_i18n;

use super::draft::Draft;
use super::photo::{PhotoError, prepare};
use super::place::use_photo_place;

/// The file input's id (the error summary links to it).
pub const PHOTO_INPUT_ID: &str = "report-photo";

/// A kept photo: its re-encoded JPEG and a preview address.
#[derive(Clone, Debug)]
pub struct PhotoItem {
    blob: SendWrapper<web_sys::Blob>,
    url: String,
    id: u32,
}

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

impl PhotoItem {
    pub fn new(blob: web_sys::Blob) -> Self {
        let url = web_sys::Url::create_object_url_with_blob(&blob).unwrap_or_default();
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        PhotoItem {
            blob: SendWrapper::new(blob),
            url,
            id,
        }
    }

    pub fn blob(&self) -> web_sys::Blob {
        (*self.blob).clone()
    }
}

#[component]
pub fn Photos(
    photos: RwSignal<Vec<PhotoItem>, LocalStorage>,
    draft: RwSignal<Draft>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = RwSignal::new(None::<PhotoError>);
    let preparing = RwSignal::new(false);
    let offered = RwSignal::new(None::<(f64, f64)>);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files: Vec<web_sys::File> = input
            .files()
            .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default();
        // The same file chosen again must fire `change` again.
        input.set_value("");
        problem.set(None);
        preparing.set(true);
        leptos::task::spawn_local(async move {
            for file in files {
                if photos.with_untracked(Vec::len) >= PHOTOS_MAX {
                    problem.try_set(Some(PhotoError::TooMany));
                    break;
                }
                match prepare(&file).await {
                    Ok(prepared) => {
                        if let Some(at) = prepared.gps {
                            offered.try_set(Some((at.lat, at.lon)));
                        }
                        photos.try_update(|p| p.push(PhotoItem::new(prepared.blob)));
                    }
                    Err(error) => {
                        problem.try_set(Some(error));
                    }
                }
            }
            preparing.try_set(false);
        });
    };
    let remove = move |id: u32| {
        photos.update(|p| {
            if let Some(gone) = p.iter().find(|item| item.id == id) {
                let _ = web_sys::Url::revoke_object_url(&gone.url);
            }
            p.retain(|item| item.id != id);
        });
        crate::browser::focus_by_id_soon(PHOTO_INPUT_ID);
    };
    let message = move || {
        error
            .get()
            .or_else(|| problem.get().map(|p| i18n.t(p.message_key())))
    };
    let full = move || photos.with(Vec::len) >= PHOTOS_MAX;
    view! {
        <div class="report-photos text-field" class:text-field--invalid=move || message().is_some()>
            <label for=PHOTO_INPUT_ID class="text-field__label">{i18n.tr("report-photo")}</label>
            <p id="report-photo-hint" class="text-field__hint">{i18n.tr("report-photo-hint")}</p>
            <p id="report-photo-error" class="text-field__error" role="alert">{message}</p>
            <input
                id=PHOTO_INPUT_ID
                class="report-photos__input"
                type="file"
                accept="image/*"
                multiple=true
                disabled=full
                aria-describedby="report-photo-hint report-photo-error"
                on:change=on_change
            />
            <p role="status" class="report-photos__status">
                {move || preparing.get().then(|| i18n.t("report-photo-preparing"))}
            </p>
            <ul class="report-photos__list">
                <For each=move || photos.get().into_iter().enumerate() key=|(_, p)| p.id let:((index, item))>
                    <li class="report-photos__item">
                        <img
                            src=item.url.clone()
                            alt=move || i18n.t_with("report-photo-alt", &[("n", ((index + 1) as i64).into())])
                        />
                        <button type="button" class="button" on:click=move |_| remove(item.id)>
                            {move || i18n.t_with("report-photo-remove", &[("n", ((index + 1) as i64).into())])}
                        </button>
                    </li>
                </For>
            </ul>
            {move || offered.get().map(|(lat, lon)| view! {
                <div class="report-photos__gps" role="status">
                    <p>{i18n.t("report-photo-gps")}</p>
                    <button type="button" class="button" on:click=move |_| {
                        use_photo_place(draft, lat, lon);
                        offered.set(None);
                    }>{i18n.t("report-photo-gps-use")}</button>
                    <button type="button" class="button" on:click=move |_| offered.set(None)>
                        {i18n.t("report-photo-gps-ignore")}
                    </button>
                </div>
            })}
        </div>
    }
}
