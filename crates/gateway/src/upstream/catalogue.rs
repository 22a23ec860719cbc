//! The platform's topic catalogue (`GET /api/v2/notifications/availabletopics`): templates such
//! as `v2.users.{id}.presence`. A desktop's topic that fits no template is refused to that
//! desktop alone before it reaches the platform, where it would fail the whole subscription
//! request (400) it shares with other desktops' topics, and cost a REST call. Pure matching;
//! the pool fetches the list.

/// One template segment: a literal, or `{…}` standing for one id segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    templates: Vec<Vec<Segment>>,
}

impl Catalogue {
    /// From the catalogue's template ids; `None` when there are none (an empty catalogue would
    /// refuse every topic, which is never what the platform means).
    pub fn from_templates<'a>(templates: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let templates: Vec<Vec<Segment>> = templates
            .into_iter()
            .map(|template| {
                template
                    .split('.')
                    .map(|part| if part.starts_with('{') && part.ends_with('}') { Segment::Placeholder } else { Segment::Literal(part.to_string()) })
                    .collect()
            })
            .collect();
        (!templates.is_empty()).then_some(Catalogue { templates })
    }

    /// Whether `topic` (already expanded from the `?a&b` shorthand) fits a template.
    pub fn allows(&self, topic: &str) -> bool {
        self.templates.iter().any(|template| fits(topic, template))
    }
}

fn fits(topic: &str, template: &[Segment]) -> bool {
    let mut parts = topic.split('.');
    for segment in template {
        let Some(part) = parts.next() else { return false };
        let ok = match segment {
            Segment::Literal(literal) => part == literal,
            Segment::Placeholder => !part.is_empty(),
        };
        if !ok {
            return false;
        }
    }
    parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_fit_templates_segment_by_segment() {
        let catalogue = Catalogue::from_templates(["v2.users.{id}.presence", "v2.users.{id}.conversations.calls", "v2.routing.queues.{id}.conversations"]);
        let Some(catalogue) = catalogue else { panic!("templates") };
        assert!(catalogue.allows("v2.users.abc.presence"));
        assert!(catalogue.allows("v2.users.abc.conversations.calls"));
        assert!(!catalogue.allows("v2.users.not-a-user.foo"), "unknown suffix");
        assert!(!catalogue.allows("v2.users.abc.conversations"), "a prefix of a template is not one");
        assert!(!catalogue.allows("v2.users.abc.presence.extra"));
        assert!(!catalogue.allows("v2.users..presence"), "an empty id");
    }

    #[test]
    fn an_empty_catalogue_is_no_catalogue() {
        assert_eq!(Catalogue::from_templates(std::iter::empty()), None);
    }
}
