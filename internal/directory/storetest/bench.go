package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/clientele/clientele/internal/directory"
)

// benchUsers is how many users the read benchmarks seed: enough that an
// index matters, few enough to seed in seconds. Million-user numbers come
// from `clientele bench` against a seeded server.
const benchUsers = 10000

// Bench runs the store benchmarks against stores made by open.
func Bench(b *testing.B, open Opener) {
	b.Run("CreateUser", func(b *testing.B) {
		s := open(b)
		r := realm(b, s, "acme")
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			u := newUser(fmt.Sprint("user ", i))
			u.Email = fmt.Sprintf("user%d@example.com", i)
			if err := s.CreateUser(ctx, r.ID, u, []directory.Identity{emailIdentity(u.Email, true)}); err != nil {
				b.Fatal(err)
			}
		}
	})

	s := open(b)
	r := realm(b, s, "acme")
	ctx := context.Background()
	var ids []int64
	for i := range benchUsers {
		u := newUser(fmt.Sprint("user ", i))
		u.ExternalID = fmt.Sprint("ext-", i)
		if i%10 == 0 {
			u.Role = directory.RoleAgent
		}
		if err := s.CreateUser(ctx, r.ID, u, nil); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	b.Run("UserByID", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := s.UserByID(ctx, r.ID, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UserByExternalID", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := s.UserByExternalID(ctx, r.ID, fmt.Sprint("EXT-", i%benchUsers)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListUsersKeyset100Deep", func(b *testing.B) {
		b.ReportAllocs()
		after := ids[len(ids)*9/10]
		for b.Loop() {
			users, err := s.ListUsers(ctx, r.ID, directory.UserFilter{}, directory.Page{Limit: 101, AfterID: after})
			if err != nil || len(users) != 101 {
				b.Fatalf("%d users, %v", len(users), err)
			}
		}
	})
	b.Run("ListAgentsKeyset100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			users, err := s.ListUsers(ctx, r.ID, directory.UserFilter{Roles: []directory.Role{directory.RoleAgent}}, directory.Page{Limit: 101})
			if err != nil || len(users) != 101 {
				b.Fatalf("%d users, %v", len(users), err)
			}
		}
	})
	b.Run("CountUsers", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n, err := s.CountUsers(ctx, r.ID, directory.UserFilter{Roles: []directory.Role{directory.RoleEndUser}})
			if err != nil || n != benchUsers*9/10 {
				b.Fatalf("count %d, %v", n, err)
			}
		}
	})
	b.Run("UpdateUser", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			u, err := s.UserByID(ctx, r.ID, ids[i%len(ids)])
			if err != nil {
				b.Fatal(err)
			}
			u.Notes = fmt.Sprint("note ", i)
			if err := s.UpdateUser(ctx, r.ID, u, directory.IdentityChange{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
