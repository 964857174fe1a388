//! `error.details.error_code`: the API's stable reason for an error, parsed, with whether it
//! forbids a retry and the advice that goes with it. Branch on this, not on the message.

/// The `error.details.error_code` values a chat client meets and says something about;
/// any other is kept as it came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    ImageDimensionsTooLarge,
    RampLimitExceeded,
    EnforcedSpendLimitReached,
    ContractSpendLimitReached,
    OrganizationOnHold,
    FileExpired,
    Other(String),
}

impl ErrorCode {
    pub fn parse(code: &str) -> Self {
        match code {
            "image_dimensions_too_large" => Self::ImageDimensionsTooLarge,
            "ramp_limit_exceeded" => Self::RampLimitExceeded,
            "enforced_spend_limit_reached" => Self::EnforcedSpendLimitReached,
            "contract_spend_limit_reached" => Self::ContractSpendLimitReached,
            "organization_on_hold" => Self::OrganizationOnHold,
            "file_expired" => Self::FileExpired,
            other => Self::Other(other.to_string()),
        }
    }

    /// No retry helps: money or an account hold stands in the way, not load.
    pub(super) fn blocks_retry(&self) -> bool {
        matches!(
            self,
            Self::EnforcedSpendLimitReached
                | Self::ContractSpendLimitReached
                | Self::OrganizationOnHold
        )
    }

    /// What it means and what to do, when oat knows the code.
    pub(super) fn advice(&self) -> Option<&'static str> {
        Some(match self {
            Self::ImageDimensionsTooLarge => {
                "An attached image has more pixels on a side than the model takes. Scale it \
                 down (or crop it) and attach it again."
            }
            Self::RampLimitExceeded => {
                "The organisation's usage is rising faster than Anthropic lets it ramp up. \
                 Wait the time the API asked for (retry-after), then send again; steady use \
                 raises the limit."
            }
            Self::EnforcedSpendLimitReached => {
                "The spend limit set for this workspace or organisation is reached. An admin \
                 can raise it in the Console (Settings → Limits); otherwise it resets with \
                 the next period."
            }
            Self::ContractSpendLimitReached => {
                "The organisation's contracted spend is used up. Ask your Anthropic account \
                 team to raise it; retrying will not help."
            }
            Self::OrganizationOnHold => {
                "Anthropic has put this organisation on hold. Check the Console's billing \
                 page or contact Anthropic support; retrying will not help."
            }
            Self::FileExpired => {
                "A file the request refers to has expired on Anthropic's side. Attach it again."
            }
            Self::Other(_) => return None,
        })
    }
}
