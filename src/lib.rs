//! Quartier: the residents' window on a connected town (Leptos CSR app).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod api;
pub mod app;
pub mod browser;
pub mod components;
pub mod config;
pub mod i18n;
pub mod map;
pub mod my_data;
pub mod navigation;
pub mod pages;
pub mod report;
pub mod route;
pub mod route_code;
pub mod session;
pub mod task;
