use std::fmt;

/// The `reason` of a Kubernetes `Status` error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// 404
    NotFound,
    /// 409 on create
    AlreadyExists,
    /// 409 on a stale update
    Conflict,
    /// 422
    Invalid,
    /// 403
    Forbidden,
    /// 400
    BadRequest,
    /// 429, e.g. an eviction a disruption budget refuses
    TooManyRequests,
    /// 500
    InternalError,
}

impl Reason {
    fn name(self) -> &'static str {
        match self {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Conflict => "Conflict",
            Reason::Invalid => "Invalid",
            Reason::Forbidden => "Forbidden",
            Reason::BadRequest => "BadRequest",
            Reason::TooManyRequests => "TooManyRequests",
            Reason::InternalError => "InternalError",
        }
    }
}

/// An error from the API server, carrying the message a real one sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// Why the request failed.
    pub reason: Reason,
    /// The Status message, e.g. `pods "web" not found`.
    pub message: String,
    /// For `Invalid`: the kind (without group) and name, and one line per cause,
    /// which kubectl renders as `The Pod "web" is invalid: ...`.
    pub invalid: Option<(String, String, Vec<String>)>,
}

impl ApiError {
    /// `<resource> "<name>" not found`.
    pub fn not_found(resource: &str, name: &str) -> ApiError {
        ApiError::new(Reason::NotFound, format!("{resource} \"{name}\" not found"))
    }

    /// `<resource> "<name>" already exists`.
    pub fn already_exists(resource: &str, name: &str) -> ApiError {
        ApiError::new(Reason::AlreadyExists, format!("{resource} \"{name}\" already exists"))
    }

    /// A 422 with its field causes, each `<path>: <message>`.
    pub fn invalid(kind: &str, group: &str, name: &str, causes: Vec<String>) -> ApiError {
        let qualified = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
        let aggregate = if causes.len() == 1 { causes[0].clone() } else { format!("[{}]", causes.join(", ")) };
        ApiError {
            reason: Reason::Invalid,
            message: format!("{qualified} \"{name}\" is invalid: {aggregate}"),
            invalid: Some((kind.to_string(), name.to_string(), causes)),
        }
    }

    /// Any other status error.
    pub fn new(reason: Reason, message: impl Into<String>) -> ApiError {
        ApiError { reason, message: message.into(), invalid: None }
    }

    /// The error as kubectl prints it; `context` is kubectl's
    /// `error when creating "pod.yaml"` phrase when the request came from a file.
    pub fn render(&self, context: Option<&str>) -> String {
        if let Some((kind, name, causes)) = &self.invalid {
            let mut seen: Vec<&String> = Vec::new();
            for cause in causes {
                if !seen.contains(&cause) {
                    seen.push(cause);
                }
            }
            let body = if seen.len() == 1 {
                seen[0].clone()
            } else {
                let mut body = String::from("\n");
                for cause in seen {
                    body.push_str("* ");
                    body.push_str(cause);
                    body.push('\n');
                }
                body
            };
            // kubectl renders Invalid from the Status details, which carry no
            // file name, so `error when creating "x.yaml"` never shows here.
            return format!("The {kind} \"{name}\" is invalid: {body}");
        }
        match context {
            Some(ctx) => format!("Error from server ({}): {ctx}: {}", self.reason.name(), self.message),
            None => format!("Error from server ({}): {}", self.reason.name(), self.message),
        }
    }
}

impl fmt::Display for ApiError {
    /// The error as Go's `err.Error()` gives it, which kubectl prints when
    /// it wraps a server error in its own words (`failed to create …: `).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_kubectl() {
        assert_eq!(
            ApiError::not_found("pods", "web").render(None),
            "Error from server (NotFound): pods \"web\" not found"
        );
        assert_eq!(
            ApiError::already_exists("pods", "nginx").render(Some("error when creating \"pod.yaml\"")),
            "Error from server (AlreadyExists): error when creating \"pod.yaml\": pods \"nginx\" already exists"
        );
        let one = ApiError::invalid("Pod", "", "web", vec!["spec.containers: Required value".into()]);
        assert_eq!(one.render(None), "The Pod \"web\" is invalid: spec.containers: Required value");
        assert_eq!(one.message, "Pod \"web\" is invalid: spec.containers: Required value");
        let two = ApiError::invalid("Pod", "", "web", vec!["a: Required value".into(), "b: Required value".into()]);
        assert_eq!(two.render(None), "The Pod \"web\" is invalid: \n* a: Required value\n* b: Required value\n");
    }
}
