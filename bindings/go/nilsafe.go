package mlops

// A nil pointer of any wrapper type (a nil *Manifest, *Key, *Policy...),
// as receiver or argument, is refused instead of dereferenced: its methods
// return an ErrInvalid error ("nil object"), or the zero value where they
// return no error, and Close does nothing. Every method reaches its handle
// through hd(), which is nil for a nil object; handle's methods accept a nil
// *handle.

func (x *Detector) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *DriftReference) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Manifest) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *ManifestBuilder) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *CategoryDict) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Diff) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Packer) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Policy) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Observations) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *State) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Decision) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *MetricSet) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Profile) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Key) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Keyring) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}

func (x *Store) hd() *handle {
	if x == nil {
		return nil
	}
	return &x.h
}
