//! `#[derive(H5Type)]` and `#[derive(H5Write)]` for [h5oxide]: Rust structs as HDF5 compound
//! types (spec: "Datatype Message", class 6 "Compound").
//!
//! Use them through h5oxide's `derive` feature (`h5oxide::{H5Type, H5Write}`).
//!
//! - `#[derive(H5Type)]` reads compound values into the struct. The struct must have named
//!   fields and be `#[repr(C)]`; the generated [`type_descriptor`] records its size and each
//!   field's real offset (`core::mem::offset_of!`) and type, and [`from_fields`] reads the
//!   fields in declaration order, each from the file member of the same name (members are
//!   matched by name, so the file may order them differently or hold more of them).
//! - `#[derive(H5Write)]` writes the struct as a compound whose members are the fields' own
//!   file types at packed offsets (each member right after the previous one, as h5py stores a
//!   numpy structured dtype without `align=True`). It needs named fields but not `#[repr(C)]`.
//!
//! A field's type must itself implement the trait (numbers, `bool`, other derived structs,
//! ...); a field of type `[T; N]` (nested: `[[T; M]; N]`) is written as an HDF5 array
//! member of `T`'s file type.
//!
//! The field attribute `#[h5(name = "member")]` matches (and writes) the field under another
//! member name, for names that are not Rust identifiers.
//!
//! ```
//! use h5oxide_derive::{H5Type, H5Write};
//!
//! #[derive(H5Type, H5Write, Debug, PartialEq)]
//! #[repr(C)]
//! struct Particle {
//!     id: u32,
//!     pos: [f64; 3],
//!     #[h5(name = "mass (kg)")]
//!     mass: f32,
//! }
//!
//! let data = vec![
//!     Particle { id: 1, pos: [0.0, 1.0, 2.0], mass: 0.5 },
//!     Particle { id: 2, pos: [3.0, 4.0, 5.0], mass: 1.5 },
//! ];
//! let mut w = h5oxide::FileWriter::in_memory(h5oxide::CreateOptions::default())?;
//! let ds = w.new_dataset::<Particle>().shape(&[2]).create("particles")?;
//! w.write(ds, &data)?;
//! let bytes = w.finish()?;
//!
//! let f = h5oxide::File::from_bytes(bytes)?;
//! let back: Vec<Particle> = f.root()?.dataset("particles")?.read()?;
//! assert_eq!(back, data);
//! # Ok::<(), h5oxide::Error>(())
//! ```
//!
//! Misuse is a compile error: a struct without `#[repr(C)]` (for `H5Type`), tuple and unit
//! structs, enums, unions, structs without fields, unknown `#[h5(...)]` keys and two fields
//! with the same member name.
//!
//! The generated code names the library as `::h5oxide`.
//!
//! [h5oxide]: https://docs.rs/h5oxide
//! [`type_descriptor`]: https://docs.rs/h5oxide/latest/h5oxide/types/trait.H5Type.html#tymethod.type_descriptor
//! [`from_fields`]: https://docs.rs/h5oxide/latest/h5oxide/types/trait.H5Type.html#method.from_fields

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::spanned::Spanned;
use syn::{parse_macro_input, Data, DeriveInput, Error, Fields, Ident, LitStr, Type};

/// Implement `h5oxide::types::H5Type` for a `#[repr(C)]` struct with named fields: values of
/// a compound type are read into it, fields matched to members by name.
/// See the [crate docs](crate).
#[proc_macro_derive(H5Type, attributes(h5))]
pub fn derive_h5type(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_h5type(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Implement `h5oxide::types::H5Write` for a struct with named fields: it is written as a
/// packed compound type. See the [crate docs](crate).
#[proc_macro_derive(H5Write, attributes(h5))]
pub fn derive_h5write(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_h5write(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// One field of the struct: its Rust name, the member name and its type.
struct FieldInfo<'a> {
    ident: &'a Ident,
    member: String,
    ty: &'a Type,
}

/// The named fields of a struct, with their member names; errors for every other shape.
fn struct_fields<'a>(input: &'a DeriveInput, derive: &str) -> syn::Result<Vec<FieldInfo<'a>>> {
    for attr in &input.attrs {
        if attr.path().is_ident("h5") {
            return Err(Error::new(
                attr.span(),
                "`#[h5(...)]` belongs on fields; no struct-level keys are known",
            ));
        }
    }
    let data = match &input.data {
        Data::Struct(s) => s,
        Data::Enum(e) => {
            return Err(Error::new(
                e.enum_token.span,
                format!(
                    "#[derive({derive})] supports structs with named fields only, not enums \
                     (an HDF5 compound type is a record)"
                ),
            ))
        }
        Data::Union(u) => {
            return Err(Error::new(
                u.union_token.span,
                format!("#[derive({derive})] supports structs with named fields only, not unions"),
            ))
        }
    };
    let named = match &data.fields {
        Fields::Named(n) => n,
        Fields::Unnamed(u) => {
            return Err(Error::new(
                u.span(),
                format!(
                    "#[derive({derive})] needs named fields: compound members are matched by \
                     name, and a tuple struct has none"
                ),
            ))
        }
        Fields::Unit => {
            return Err(Error::new(
                input.ident.span(),
                format!(
                    "#[derive({derive})] needs named fields: a unit struct has no compound members"
                ),
            ))
        }
    };
    if named.named.is_empty() {
        return Err(Error::new(
            named.span(),
            format!("#[derive({derive})] needs at least one field: HDF5 has no empty compound"),
        ));
    }
    let mut out: Vec<FieldInfo<'a>> = Vec::with_capacity(named.named.len());
    for f in &named.named {
        let Some(ident) = f.ident.as_ref() else {
            return Err(Error::new(f.span(), "field without a name"));
        };
        let (member, span) = match member_name(f)? {
            Some(lit) => (lit.value(), lit.span()),
            None => (unraw(ident), ident.span()),
        };
        if member.is_empty() {
            return Err(Error::new(span, "an HDF5 member name cannot be empty"));
        }
        if member.contains('\0') {
            return Err(Error::new(span, "an HDF5 member name cannot contain NUL"));
        }
        if let Some(prev) = out.iter().find(|o| o.member == member) {
            return Err(Error::new(
                span,
                format!(
                    "member name \"{member}\" is used twice (also by field `{}`)",
                    prev.ident
                ),
            ));
        }
        out.push(FieldInfo {
            ident,
            member,
            ty: &f.ty,
        });
    }
    Ok(out)
}

/// The identifier as written, without a raw `r#` prefix.
fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    match s.strip_prefix("r#") {
        Some(rest) => rest.to_owned(),
        None => s,
    }
}

/// The `name` of the field's `#[h5(name = "...")]`, if any.
fn member_name(field: &syn::Field) -> syn::Result<Option<LitStr>> {
    let mut name: Option<LitStr> = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("h5") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                if name.is_some() {
                    return Err(meta.error("duplicate `name` in #[h5(...)]"));
                }
                name = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map_or_else(|| String::from("?"), Ident::to_string);
                Err(meta.error(format!(
                    "unknown h5 attribute key `{key}`; the only field key is `name = \"...\"`"
                )))
            }
        })?;
    }
    Ok(name)
}

/// Whether the struct is `#[repr(C)]` (possibly with other hints such as `align(N)`).
fn check_repr_c(input: &DeriveInput) -> syn::Result<()> {
    let mut c = false;
    for attr in &input.attrs {
        if !attr.path().is_ident("repr") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("C") {
                c = true;
            } else if meta.input.peek(syn::token::Paren) {
                // `align(N)`, `packed(N)`: skip the arguments.
                let content;
                syn::parenthesized!(content in meta.input);
                let _: TokenStream2 = content.parse()?;
            }
            Ok(())
        })?;
    }
    if c {
        Ok(())
    } else {
        Err(Error::new(
            input.ident.span(),
            "#[derive(H5Type)] requires #[repr(C)] on the struct: the compound type records \
             the fields' offsets, which only #[repr(C)] fixes",
        ))
    }
}

/// Generics of the impl, with `Trait` bounds on every field type.
fn bounded_where(
    input: &DeriveInput,
    fields: &[FieldInfo<'_>],
    bound: &TokenStream2,
) -> syn::WhereClause {
    let mut clause = input
        .generics
        .where_clause
        .clone()
        .unwrap_or_else(|| syn::WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        });
    if !input.generics.params.is_empty() {
        for f in fields {
            let ty = f.ty;
            clause.predicates.push(syn::parse_quote!(#ty: #bound));
        }
    }
    clause
}

fn expand_h5type(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let fields = struct_fields(input, "H5Type")?;
    check_repr_c(input)?;
    let name = &input.ident;
    let bound = quote!(::h5oxide::types::H5Type);
    let (impl_g, ty_g, _) = input.generics.split_for_impl();
    let where_clause = bounded_where(input, &fields, &bound);
    let descriptors = fields.iter().map(|f| {
        let (ident, ty, member) = (f.ident, f.ty, &f.member);
        quote! {
            ::h5oxide::types::Field::of::<#ty>(#member, ::core::mem::offset_of!(Self, #ident))
        }
    });
    let reads = fields.iter().map(|f| {
        let (ident, ty) = (f.ident, f.ty);
        quote!(#ident: __h5_fields.field::<#ty>()?)
    });
    Ok(quote! {
        #[allow(unused_extern_crates, clippy::used_underscore_binding)]
        const _: () = {
            extern crate alloc as __h5_alloc;
            #[automatically_derived]
            impl #impl_g #bound for #name #ty_g #where_clause {
                fn type_descriptor() -> ::h5oxide::types::TypeDescriptor {
                    ::h5oxide::types::TypeDescriptor::Compound(::h5oxide::types::Compound::new(
                        ::core::mem::size_of::<Self>(),
                        <__h5_alloc::vec::Vec<::h5oxide::types::Field>
                            as ::core::iter::FromIterator<::h5oxide::types::Field>>::from_iter([
                            #(#descriptors),*
                        ]),
                    ))
                }

                fn from_fields(
                    __h5_fields: &mut ::h5oxide::types::Fields<'_, '_>,
                ) -> ::h5oxide::Result<Self> {
                    ::core::result::Result::Ok(Self { #(#reads),* })
                }
            }
        };
    })
}

/// The file type of a field of type `ty` and the code appending the bytes of `value` (an
/// expression of type `&ty`) to `__h5_out`. `[T; N]` (nested too) becomes an array type.
fn write_parts(ty: &Type, value: &TokenStream2) -> (TokenStream2, TokenStream2) {
    let dt = quote!(::h5oxide::format::message::datatype);
    // Peel `[[T; M]; N]` into dims [N, M] and T.
    let mut dims = Vec::new();
    let mut elem = ty;
    while let Type::Array(a) = strip_group(elem) {
        dims.push(a.len.clone());
        elem = &a.elem;
    }
    if dims.is_empty() {
        return (
            quote!(<#ty as ::h5oxide::types::H5Write>::file_type()),
            quote!(<#ty as ::h5oxide::types::H5Write>::encode(
                ::core::slice::from_ref(#value), __h5_out);),
        );
    }
    let dim_u32 = dims.iter().map(
        |d| quote!(<u32 as ::core::convert::TryFrom<usize>>::try_from(#d).unwrap_or(u32::MAX)),
    );
    let file_type = quote! {{
        let __h5_base = <#elem as ::h5oxide::types::H5Write>::file_type();
        let __h5_dims: __h5_alloc::vec::Vec<u32> =
            <__h5_alloc::vec::Vec<u32> as ::core::iter::FromIterator<u32>>::from_iter([
                #(#dim_u32),*
            ]);
        let __h5_size = __h5_dims
            .iter()
            .fold(__h5_base.size, |__h5_s, &__h5_d| __h5_s.saturating_mul(__h5_d));
        #dt::Datatype {
            version: 1,
            size: __h5_size,
            class: #dt::Class::Array {
                dims: __h5_dims,
                base: __h5_alloc::boxed::Box::new(__h5_base),
            },
        }
    }};
    // Loop over the outer dimensions; the innermost one is a slice of `elem`.
    let mut body = quote!(<#elem as ::h5oxide::types::H5Write>::encode(
        __h5_inner.as_slice(), __h5_out););
    let mut var = quote!(__h5_inner);
    for i in (0..dims.len().saturating_sub(1)).rev() {
        let outer = Ident::new(&format!("__h5_a{i}"), Span::call_site());
        body = quote!(for #var in #outer.iter() { #body });
        var = quote!(#outer);
    }
    let encode = quote! {{
        let #var = #value;
        #body
    }};
    (file_type, encode)
}

/// `ty` without invisible groups (types from `macro_rules!` arguments).
fn strip_group(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => strip_group(&g.elem),
        Type::Paren(p) => strip_group(&p.elem),
        t => t,
    }
}

fn expand_h5write(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let fields = struct_fields(input, "H5Write")?;
    let name = &input.ident;
    let bound = quote!(::h5oxide::types::H5Write);
    let (impl_g, ty_g, _) = input.generics.split_for_impl();
    let where_clause = bounded_where(input, &fields, &bound);
    let dt = quote!(::h5oxide::format::message::datatype);
    let n = fields.len();
    let mut members = Vec::with_capacity(n);
    let mut encodes = Vec::with_capacity(n);
    for f in &fields {
        let ident = f.ident;
        let member = &f.member;
        let (file_type, encode) = write_parts(f.ty, &quote!(&__h5_value.#ident));
        members.push(quote! {{
            let __h5_type = #file_type;
            let __h5_size = __h5_type.size;
            __h5_members.push(#dt::Member {
                name: __h5_alloc::string::String::from(#member),
                offset: u64::from(__h5_offset),
                dtype: __h5_type,
            });
            __h5_offset = __h5_offset.saturating_add(__h5_size);
        }});
        encodes.push(encode);
    }
    Ok(quote! {
        #[allow(unused_extern_crates, clippy::used_underscore_binding)]
        const _: () = {
            extern crate alloc as __h5_alloc;
            #[automatically_derived]
            impl #impl_g #bound for #name #ty_g #where_clause {
                fn file_type() -> #dt::Datatype {
                    let mut __h5_members = __h5_alloc::vec::Vec::with_capacity(#n);
                    let mut __h5_offset: u32 = 0;
                    #(#members)*
                    #dt::Datatype {
                        version: 1,
                        size: __h5_offset,
                        class: #dt::Class::Compound { members: __h5_members },
                    }
                }

                fn encode(__h5_values: &[Self], __h5_out: &mut __h5_alloc::vec::Vec<u8>) {
                    for __h5_value in __h5_values {
                        #(#encodes)*
                    }
                }
            }
        };
    })
}
