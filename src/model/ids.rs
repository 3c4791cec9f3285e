//! Typed indices of the simulation's arenas: a conversation, an agent and
//! an agent group each have their own id type, so one cannot be passed for
//! another, and "none" is `Option<Id>` (four bytes: the id stores the
//! index plus one in a `NonZeroU32`), not a shared sentinel.

use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::ops::{Index, IndexMut};

/// An index into an arena.
pub trait Id: Copy {
    /// The id of the `i`-th element.
    fn new(i: usize) -> Self;
    /// The element's index.
    fn ix(self) -> usize;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(NonZeroU32);

        impl Id for $name {
            #[inline]
            fn new(i: usize) -> Self {
                debug_assert!(i < u32::MAX as usize, "{} overflow", stringify!($name));
                $name(NonZeroU32::MIN.saturating_add(i as u32))
            }
            #[inline]
            fn ix(self) -> usize {
                (self.0.get() - 1) as usize
            }
        }

        impl $name {
            /// The element's index.
            #[inline]
            pub fn ix(self) -> usize {
                Id::ix(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.ix())
            }
        }
    };
}

id_type!(
    /// A conversation's slot in the arena (slots are reused once a
    /// conversation ends; its timers make stale events harmless).
    ConvId
);
id_type!(
    /// An agent, numbered across groups in scenario order.
    AgentId
);
id_type!(
    /// An agent group, in scenario order.
    GroupId
);

/// A vector indexed by one id type.
#[derive(Clone, Debug)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    _id: PhantomData<I>,
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec {
            items: Vec::new(),
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> IdVec<I, T> {
    /// Appends an element and returns its id.
    #[inline]
    pub fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::new(self.items.len() - 1)
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no element.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The elements in id order.
    #[inline]
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The elements with their ids.
    pub fn iter_ids(&self) -> impl Iterator<Item = (I, &T)> {
        self.items.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl Iterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::new)
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdVec {
            items: iter.into_iter().collect(),
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    #[inline]
    fn index(&self, i: I) -> &T {
        &self.items[i.ix()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[inline]
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.ix()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_none_costs_nothing() {
        assert_eq!(ConvId::new(0).ix(), 0);
        assert_eq!(AgentId::new(41).ix(), 41);
        assert!(GroupId::new(1) < GroupId::new(2));
        assert_eq!(std::mem::size_of::<Option<ConvId>>(), 4);
        let mut v: IdVec<AgentId, &str> = IdVec::default();
        let a = v.push("a");
        let b = v.push("b");
        assert_eq!((v[a], v[b]), ("a", "b"));
        assert_eq!(v.ids().collect::<Vec<_>>(), vec![a, b]);
    }
}
