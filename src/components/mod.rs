//! Reusable pieces of the interface. Accessibility lives here (STYLE.md rule 10), so pages
//! inherit it.

pub mod async_section;
pub mod config_error_screen;
pub mod error_summary;
pub mod language_menu;
pub mod lazy_view;
pub mod main_nav;
pub mod page_heading;
pub mod pager;
pub mod signed_in_only;
pub mod site_footer;
pub mod site_header;
pub mod skip_link;
pub mod text_field;
