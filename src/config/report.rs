//! The report of everything wrong with a config, each problem at its JSON path.

use std::fmt;

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Where, as a JSONPath such as `$.issuers[0].audiences`.
    pub path: String,
    /// What is wrong. Written by edgeguard; never contains a secret or key material.
    pub message: String,
}

/// All problems found in a config. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigReport {
    /// The problems, in the order they were found: members named more than once first, then
    /// the rest as the validation walks the file (the sections in a fixed order, not the file's).
    pub problems: Vec<ConfigProblem>,
}

impl ConfigReport {
    /// Records a problem at `path`.
    pub fn add(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    /// True when at least one problem was found.
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }
}

impl fmt::Display for ConfigReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in &self.problems {
            writeln!(f, "{}: {}", problem.path, problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigReport {}
