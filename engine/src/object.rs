//! The typed objects the store holds: one enum over the k8s-openapi types, so
//! controllers read fields with the compiler's help while the store, codec and
//! printers treat every kind alike.

use crate::api::{self, Kind, ResourceInfo};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

macro_rules! objects {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// A stored Kubernetes object of any served kind.
        // Stored objects live behind an `Arc`, so the variants' size
        // difference costs nothing where it would matter.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $(
                #[doc = concat!("A ", stringify!($variant), ".")]
                $variant($ty),
            )*
        }

        impl Object {
            /// Its kind.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Object::$variant(_) => Kind::$variant,)*
                }
            }

            /// Its metadata.
            pub fn meta(&self) -> &ObjectMeta {
                match self {
                    $(Object::$variant(o) => &o.metadata,)*
                }
            }

            /// Its metadata, for writing.
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Object::$variant(o) => &mut o.metadata,)*
                }
            }

            /// The object as JSON, with `apiVersion` and `kind`.
            pub fn to_value(&self) -> serde_json::Value {
                let value = match self {
                    $(Object::$variant(o) => serde_json::to_value(o),)*
                };
                // Serialising these generated types cannot fail: they hold no maps with
                // non-string keys and no floats that JSON rejects.
                value.unwrap_or(serde_json::Value::Null)
            }

            /// Decodes JSON (already checked to be `info`'s kind) into a typed object.
            pub fn from_value(info: &ResourceInfo, value: serde_json::Value) -> Result<Object, serde_json::Error> {
                Ok(match info.kind {
                    $(Kind::$variant => Object::$variant(serde_json::from_value(value)?),)*
                })
            }
        }
    };
}

objects! {
    Namespace(Namespace),
    Node(Node),
    Pod(Pod),
}

impl Object {
    /// The registry entry of its kind.
    pub fn info(&self) -> &'static ResourceInfo {
        api::info(self.kind())
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }

    /// `metadata.namespace`, empty for cluster-scoped objects.
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or_default()
    }

    /// The Pod inside, if this is one.
    pub fn as_pod(&self) -> Option<&Pod> {
        match self {
            Object::Pod(p) => Some(p),
            _ => None,
        }
    }

    /// The Node inside, if this is one.
    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Object::Node(n) => Some(n),
            _ => None,
        }
    }
}
