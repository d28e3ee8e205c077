//! The parts of `/my-data` (GDPR art. 15 to 20, self-service): a summary first, then each
//! category with its declaration and records (the water meter as a chart with its table), who
//! accessed the data, and how to take it away (export, erasure).

pub mod access_log_section;
pub mod category_section;
pub mod overview;
pub mod records_table;
pub mod summary;
pub mod take_away_section;
pub mod water_chart;
pub mod water_usage;
pub mod words;
