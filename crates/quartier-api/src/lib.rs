//! Quartier contract.
