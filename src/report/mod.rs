//! Reporting an issue (Open311): the form, its draft and the outbox that never loses a report.

pub mod address_combobox;
pub mod category_picker;
pub mod confirmation;
pub mod draft;
pub mod follow_button;
pub mod form;
pub mod nearby;
pub mod outbox;
pub mod photo;
pub mod photos;
pub mod place;
pub mod questions;
pub mod storage;
