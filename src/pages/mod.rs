//! One file per route.

pub mod accessibility_page;
pub mod consents_page;
pub mod embed_map_page;
pub mod embed_report_page;
pub mod home_page;
pub mod legal_notice_page;
pub mod my_data_page;
pub mod my_reports_page;
pub mod not_found_page;
pub mod report_detail_page;
pub mod report_issue_page;
pub mod services_map_page;
pub mod sign_in_page;
