"""The MongoDB store (Atlas, Firestore's MongoDB compatibility, or mongomock in tests)."""
