//! rferl-corpus: RFE/RL article dumps in, research tables out.
pub mod identify;
