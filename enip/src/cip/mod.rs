//! CIP messages (Vol. 1 §2-4): request and response headers, EPATH, services and objects.
pub mod logix;
pub mod pccc;
