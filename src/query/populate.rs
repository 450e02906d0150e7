//! Populate: which relations, media, components and dynamic zones come back, to any depth,
//! each with its own fields, filters, sort and nested populate.

use super::encode::KeyWriter;
use super::filter::{Filter, FilterBuilder, write_conjunction};
use super::{SortDirection, write_sort};

/// What to populate.
///
/// ```
/// use strapi_kit::{FilterBuilder, Populate, PopulateField, SortDirection, StrapiQuery};
/// let q = StrapiQuery::new().populate_with(
///     Populate::new()
///         .field("cover")
///         .field_with(
///             "author",
///             PopulateField::new()
///                 .fields(["name"])
///                 .populate(Populate::new().field_with(
///                     "articles",
///                     PopulateField::new()
///                         .fields(["title"])
///                         .filter(FilterBuilder::new().gte("views", 10))
///                         .sort_by("views", SortDirection::Desc),
///                 )),
///         ),
/// );
/// let pairs = q.to_pairs().unwrap();
/// assert!(pairs.contains(&("populate[author][populate][articles][sort][0]".into(), Some("views:desc".into()))));
/// assert!(pairs.contains(&("populate[cover]".into(), Some("true".into()))));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Populate {
    all: bool,
    entries: Vec<(String, PopulateField)>,
}

impl Populate {
    /// Nothing yet; add fields with [`field`](Self::field) and [`field_with`](Self::field_with).
    pub fn new() -> Self {
        Self::default()
    }

    /// `populate=*`: every relation, media and component one level deep.
    ///
    /// `*` stands alone in Strapi's syntax: encoding refuses
    /// ([`Error::InvalidInput`](crate::Error::InvalidInput)) a populate that is `*` and also
    /// names fields (`populate_all()` together with `populate(["author"])`, in either order).
    pub fn all() -> Self {
        Populate {
            all: true,
            entries: Vec::new(),
        }
    }

    /// Populates these fields with all their attributes.
    pub fn fields<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        names.into_iter().fold(Self::new(), |p, n| p.field(n))
    }

    /// Populates one field with all its attributes.
    pub fn field(self, name: impl Into<String>) -> Self {
        self.field_with(name, PopulateField::new())
    }

    /// Populates one field with options (fields, filters, sort, nested populate).
    pub fn field_with(mut self, name: impl Into<String>, options: PopulateField) -> Self {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => *existing = options,
            None => self.entries.push((name, options)),
        }
        self
    }

    /// Whether this is `populate=*`.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// Merges `other` into `self` (later settings win per field; `*` is kept, so that
    /// `*` beside named fields is refused when encoded instead of one silently winning).
    pub(crate) fn merge(&mut self, other: Populate) {
        self.all |= other.all;
        for (name, opts) in other.entries {
            *self = std::mem::take(self).field_with(name, opts);
        }
    }

    pub(crate) fn write(&self, w: &mut KeyWriter<'_>, top_level: bool, scratch: &mut String) {
        if self.all {
            if let Some((name, _)) = self.entries.first() {
                w.fail(|| {
                    format!(
                        "`populate=*` cannot be combined with named fields ({name:?}): \
                         Strapi reads one or the other; name every field, or use `*` alone"
                    )
                });
                return;
            }
            w.value(Some("*"));
            return;
        }
        if top_level && self.entries.iter().all(|(_, o)| o.is_plain()) {
            // The short list form: populate[0]=author&populate[1]=cover.
            for (i, (name, _)) in self.entries.iter().enumerate() {
                w.check_value_name(name, "populate field");
                let m = w.index(i);
                w.value(Some(name));
                w.reset(m);
            }
            return;
        }
        for (name, opts) in &self.entries {
            let m = w.name(name);
            opts.write(w, scratch);
            w.reset(m);
        }
    }
}

/// The options of one populated field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PopulateField {
    fields: Vec<String>,
    filters: Vec<Filter>,
    sort: Vec<(String, SortDirection)>,
    populate: Option<Populate>,
    on: Vec<(String, PopulateField)>,
    count: bool,
}

impl PopulateField {
    /// No options: the field with all its attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns only these attributes of the related entries.
    pub fn fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(names.into_iter().map(Into::into));
        self
    }

    /// Returns only related entries matching the filter.
    pub fn filter(mut self, filter: FilterBuilder) -> Self {
        self.filters.extend(filter.into_items());
        self
    }

    /// Sorts the related entries.
    pub fn sort_by(mut self, field: impl Into<String>, direction: SortDirection) -> Self {
        self.sort.push((field.into(), direction));
        self
    }

    /// Populates the related entries' own relations.
    pub fn populate(mut self, populate: Populate) -> Self {
        match &mut self.populate {
            Some(p) => p.merge(populate),
            None => self.populate = Some(populate),
        }
        self
    }

    /// For a dynamic zone: options for one component (`populate[zone][on][shared.quote]…`).
    /// Calling it again for the same component replaces its options.
    pub fn on(mut self, component: impl Into<String>, options: PopulateField) -> Self {
        let component = component.into();
        // Two entries for one component would write the same keys twice, and `qs` would
        // merge them into nonsense (`["true", {...}]`).
        match self.on.iter_mut().find(|(c, _)| *c == component) {
            Some((_, existing)) => *existing = options,
            None => self.on.push((component, options)),
        }
        self
    }

    /// Returns the number of related entries instead of the entries: the field comes back
    /// as `{"count": n}` (`populate[field][count]=true`, read by Strapi 4 and 5 alike).
    pub fn count(mut self) -> Self {
        self.count = true;
        self
    }

    /// Whether the options would write no key (none given, or only ones that are empty:
    /// an empty filter, a nested populate of nothing). Such a field is sent as plainly
    /// populated (`=true`, or in the list form) rather than not at all.
    fn is_plain(&self) -> bool {
        self.fields.is_empty()
            && self.filters.iter().all(super::filter::is_empty)
            && self.sort.is_empty()
            && self
                .populate
                .as_ref()
                .is_none_or(|p| !p.all && p.entries.is_empty())
            && self.on.is_empty()
            && !self.count
    }

    fn write(&self, w: &mut KeyWriter<'_>, scratch: &mut String) {
        if w.error.is_some() {
            return; // already refused (see `filter::write_one`)
        }
        if self.is_plain() {
            w.value(Some("true"));
            return;
        }
        if !self.fields.is_empty() {
            let m = w.seg("fields");
            for f in &self.fields {
                w.check_value_name(f, "field");
            }
            w.list(&self.fields);
            w.reset(m);
        }
        if !self.filters.iter().all(super::filter::is_empty) {
            let m = w.seg("filters");
            write_conjunction(w, &self.filters, scratch);
            w.reset(m);
        }
        if !self.sort.is_empty() {
            let m = w.seg("sort");
            write_sort(w, &self.sort, scratch);
            w.reset(m);
        }
        if let Some(p) = self
            .populate
            .as_ref()
            .filter(|p| p.all || !p.entries.is_empty())
        {
            let m = w.seg("populate");
            p.write(w, false, scratch);
            w.reset(m);
        }
        if !self.on.is_empty() {
            let m = w.seg("on");
            for (component, opts) in &self.on {
                let mc = w.name(component);
                opts.write(w, scratch);
                w.reset(mc);
            }
            w.reset(m);
        }
        if self.count {
            w.leaf("count", Some("true"));
        }
    }
}
