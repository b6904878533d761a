//! What the evaluator knows about the world when it is asked: the caller's facts, never looked
//! up (no clock, no IO).

use time::OffsetDateTime;

/// The state of the world a policy is evaluated against. Build with [`Facts::at`] and the
/// `with_*` methods; a fact left out is unknown, and a constraint on an unknown fact is never
/// satisfied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Now (`dateTime`, and `elapsedTime` with [`Facts::agreement_started`]).
    pub now: OffsetDateTime,
    /// The recipient (assignee) as a DID or other IRI; matched against a rule's `assignee` (a DSP
    /// agreement's `assignee` applies to all its rules). Unknown with an assignee named: no grant.
    pub recipient: Option<String>,
    /// Party collections the recipient belongs to; a rule whose `assignee` names one covers it.
    pub recipient_groups: Vec<String>,
    /// The recipient's jurisdiction, ISO 3166-1 alpha-2 (`spatial`).
    pub recipient_jurisdiction: Option<String>,
    /// The purpose the recipient declared (`purpose`), compared as given.
    pub purpose: Option<String>,
    /// Certifications the recipient holds, verified by the caller (`dfft:certification`).
    pub certifications: Vec<String>,
    /// When the agreement started (`elapsedTime`).
    pub agreement_started: Option<OffsetDateTime>,
    /// Uses already made under the agreement; `count` compares `use_count + 1`, the number of
    /// uses including the one asked for.
    pub use_count: u64,
    /// The asset asked for (a dataset id); matched against a rule's `target`. Give it whenever the
    /// policy may name a target (a DSP agreement always does): a rule with a target and no
    /// known asset is unknown, so it grants nothing.
    pub target: Option<String>,
    /// Asset collections the target belongs to; a rule whose `target` names one covers it.
    pub target_groups: Vec<String>,
    /// Duties known to be violated, by duty `@id` or by compact action (e.g. `delete`); a
    /// permission carrying one is inactive.
    pub violated_duties: Vec<String>,
}

impl Facts {
    /// Facts with only the time known.
    pub fn at(now: OffsetDateTime) -> Facts {
        Facts {
            now,
            recipient: None,
            recipient_groups: Vec::new(),
            recipient_jurisdiction: None,
            purpose: None,
            certifications: Vec::new(),
            agreement_started: None,
            use_count: 0,
            target: None,
            target_groups: Vec::new(),
            violated_duties: Vec::new(),
        }
    }

    pub fn with_recipient(mut self, recipient: impl Into<String>) -> Facts {
        self.recipient = Some(recipient.into());
        self
    }

    pub fn with_jurisdiction(mut self, code: impl Into<String>) -> Facts {
        self.recipient_jurisdiction = Some(code.into());
        self
    }

    pub fn with_purpose(mut self, purpose: impl Into<String>) -> Facts {
        self.purpose = Some(purpose.into());
        self
    }

    pub fn with_certification(mut self, certification: impl Into<String>) -> Facts {
        self.certifications.push(certification.into());
        self
    }

    pub fn with_agreement_started(mut self, started: OffsetDateTime) -> Facts {
        self.agreement_started = Some(started);
        self
    }

    pub fn with_use_count(mut self, uses: u64) -> Facts {
        self.use_count = uses;
        self
    }

    pub fn with_target(mut self, target: impl Into<String>) -> Facts {
        self.target = Some(target.into());
        self
    }
}
