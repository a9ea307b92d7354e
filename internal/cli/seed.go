package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/clientele/clientele/internal/directory"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// seedSummary is what `seed` did, as --json prints it.
type seedSummary struct {
	Users          int     `json:"users"`
	Seconds        float64 `json:"seconds"`
	UsersPerSecond float64 `json:"users_per_second"`
}

// seed fills a realm with realistic users for demos and benchmarks. User i
// of seed S is always the same person (names, email, phone, tags, time
// zone, locale, dates, uuid, organization, custom field values), whatever
// N and --start, so runs are repeatable and a realm can grow by seeding
// the next range. The realm's seed organizations and user fields
// (seedOrganizations, seedFields) are made first, through the Service's
// rules, or reused when an earlier seed made them. The users go
// straight to the store's bulk path (directory.ImportStore), in batches,
// inside a bulk load (directory.BulkLoader) where the store has one,
// committed every --commit users: they are made valid by construction,
// which TestSeedUsersPassTheRules checks through the API's rules. A seed
// that fails keeps the users of its commits before the failure.
func (e *env) seed(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("seed", &c)
	realmUID := fs.String("realm", "", "realm uid")
	users := fs.Int("users", 0, "how many users to create")
	seedValue := fs.Uint64("seed", 1, "the seed: the same seed and range give the same users")
	start := fs.Int("start", 0, "index of the first user, to add a range after an earlier seed")
	batchSize := fs.Int("batch", 10000, "users per batch")
	commitEvery := fs.Int("commit", defaultCommitEvery, "users per commit (each a transaction, the search index complete at its end)")
	asJSON := fs.Bool("json", false, "print the summary as a JSON object")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *realmUID == "" || *users < 1 || *start < 0 || *batchSize < 1 || *commitEvery < 1 {
		return usageError("seed: --realm and --users N (N >= 1) are required; --start, --batch and --commit must be positive")
	}
	store, realm, err := openRealm(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	orgIDs, err := seedDirectory(ctx, store, realm.ID)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []directory.ImportUser, 2)
	go func() {
		defer close(batches)
		for from := *start; from < *start+*users; from += *batchSize {
			to := min(from+*batchSize, *start+*users)
			batch := make([]directory.ImportUser, 0, to-from)
			for i := from; i < to; i++ {
				op, org := seedPerson(*seedValue, i)
				if org >= 0 {
					op.User.OrganizationID = orgIDs[org]
				}
				batch = append(batch, op)
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	progress := newProgress(e.stderr, "users")
	begin := time.Now()
	lctx, load, err := beginLoad(ctx, store)
	if err != nil {
		return err
	}
	defer load.End()
	expectPerCommit(load, min(*commitEvery, *users))
	// Seeded users are unique by construction, and the seed looks none up.
	if u, ok := load.(directory.UniqueAtCommit); ok {
		u.CheckUniqueAtCommit()
	}
	done, committed := 0, 0
	fail := func(err error) error {
		if directory.KindOf(err) == directory.KindInvalid {
			return fmt.Errorf("users %d and after: %w (realm %q already holds users of this seed and range; seed another --start, --seed or realm)",
				*start+committed, err, realm.UID)
		}
		return fmt.Errorf("users %d and after: %w", *start+committed, err)
	}
	for batch := range batches {
		if err := store.ImportUsers(lctx, realm.ID, batch); err != nil {
			return fail(err)
		}
		done += len(batch)
		if done-committed >= *commitEvery {
			if err := load.Commit(ctx); err != nil {
				return fail(err)
			}
			committed = done
		}
		progress.update(done, "")
	}
	if err := load.Commit(ctx); err != nil {
		return fail(err)
	}
	if err := load.End(); err != nil {
		return err
	}
	progress.done()
	sum := seedSummary{Users: done, Seconds: time.Since(begin).Seconds()}
	if err := afterLoad(ctx, store); err != nil {
		return err
	}
	if sum.Seconds > 0 {
		sum.UsersPerSecond = float64(done) / sum.Seconds
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(sum)
	}
	fmt.Fprintf(e.stdout, "%d users seeded in realm %s (%.1f s, %.0f users/s)\n", done, realm.UID, sum.Seconds, sum.UsersPerSecond)
	return nil
}

// Seeded users are created between these instants, so the same seed gives
// the same dates whatever the day it runs.
var (
	seedFrom = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	seedTo   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// seedUser returns user i of seed s, with its identities: an email, and a
// phone unless the user has none or shares it. It has no OrganizationID,
// which is the realm's id of the organization seedPerson names.
func seedUser(s uint64, i int) directory.ImportUser {
	op, _ := seedPerson(s, i)
	return op
}

// seedPerson returns seedUser(s, i) and the index in seedOrganizations of
// the user's organization, -1 for none: about nine in ten end users
// have one, agents and admins none.
func seedPerson(s uint64, i int) (directory.ImportUser, int) {
	rng := rand.New(rand.NewPCG(mix(s^0x9e3779b97f4a7c15), mix(s+uint64(i)*0xbf58476d1ce4e5b9)))
	// Organizations and custom field values draw from a stream of their
	// own, so that adding them changed none of the attributes drawn from
	// rng.
	extra := rand.New(rand.NewPCG(mix(s^0x632be59bd9b4e019), mix(s+uint64(i)*0x94d049bb133111eb)))
	c := &seedCountries[pickWeighted(rng, seedCountryTotal, func(k int) int { return seedCountries[k].weight })]
	g := c.groups[rng.IntN(len(c.groups))]
	if rng.IntN(100) < 15 { // everywhere has people from everywhere
		g = rng.IntN(len(nameGroups))
	}
	group := &nameGroups[g]
	first := group.first[rng.IntN(len(group.first))]
	last := group.last[rng.IntN(len(group.last))]
	u := &directory.User{
		UUID:       seedUUID(rng),
		FirstName:  first.name,
		LastName:   last.name,
		Name:       first.name + " " + last.name,
		ExternalID: fmt.Sprintf("cust-%d-%07d", s, i),
		Tags:       []string{},
		UserFields: seedFieldValues(extra),
	}
	local := first.ascii + "." + last.ascii
	if group.secondLast && rng.IntN(100) < 60 {
		second := group.last[rng.IntN(len(group.last))]
		u.SecondLastName = second.name
		u.Name += " " + second.name
	}
	if s == 1 {
		local += strconv.Itoa(i)
	} else {
		local += fmt.Sprintf("%d.s%d", i, s)
	}
	u.Email = local + "@" + seedDomains[rng.IntN(len(seedDomains))]

	// Roles: one admin every 10,000 users, 2% agents, the rest end users.
	switch {
	case i%10000 == 0:
		u.Role = directory.RoleAdmin
	case rng.IntN(100) < 2:
		u.Role = directory.RoleAgent
	default:
		u.Role = directory.RoleEndUser
		u.TicketRestriction = directory.RestrictionRequested
	}
	tz := c.timeZones[rng.IntN(len(c.timeZones))]
	u.TimeZone, u.IANATimeZone = tz.Name, tz.IANA
	loc := c.locales[rng.IntN(len(c.locales))]
	u.Locale, u.LocaleID = loc.Tag, loc.ID
	u.Verified = rng.IntN(100) < 90
	u.Suspended = rng.IntN(100) == 0

	if n := rng.IntN(5); n > 0 {
		for _, k := range rng.Perm(len(seedTags))[:n] {
			u.Tags = append(u.Tags, seedTags[k])
		}
	}
	created := seedFrom.Add(time.Duration(rng.Int64N(int64(seedTo.Sub(seedFrom))))).Truncate(time.Second)
	updated := created.Add(time.Duration(rng.Int64N(int64(400 * 24 * time.Hour)))).Truncate(time.Second)
	if updated.After(seedTo) {
		updated = seedTo
	}
	u.CreatedAt, u.UpdatedAt = created, updated
	if rng.IntN(100) < 60 {
		u.LastLoginAt = updated
	}
	// Details name the user's organization, or for those in none (and
	// staff) another company.
	member, k := -1, pickWeighted(extra, seedOrgTotal, seedOrgWeight)
	if u.Role == directory.RoleEndUser && extra.IntN(100) < 90 {
		member = k
	}
	org := seedOrgPrefixes[rng.IntN(len(seedOrgPrefixes))] + " " + seedOrgSuffixes[rng.IntN(len(seedOrgSuffixes))]
	industry := seedIndustries[rng.IntN(len(seedIndustries))]
	if member >= 0 {
		org, industry = seedOrganizations[member].name, seedOrganizations[member].industry
	}
	u.Details = "Works at " + org + ", " + industry + ". Customer since " + strconv.Itoa(created.Year()) + "."
	u.Notes = seedNotes[rng.IntN(len(seedNotes))]
	if rng.IntN(3) == 0 {
		u.Notes += " " + seedNotes[rng.IntN(len(seedNotes))]
	}

	ids := []directory.Identity{{Type: directory.IdentityEmail, Value: u.Email, Primary: true, Verified: u.Verified,
		CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt}}
	if p, ok := c.phone.number(i, s); ok && rng.IntN(100) < 75 {
		u.Phone = p
		if rng.IntN(100) < 4 {
			u.SharedPhoneNumber = true
		} else {
			ids = append(ids, directory.Identity{Type: directory.IdentityPhone, Value: p, Primary: true,
				CreatedAt: u.CreatedAt, UpdatedAt: u.CreatedAt})
		}
	}
	return directory.ImportUser{User: u, Identities: ids}, member
}

// seedFieldValues returns a user's values of seedFields, drawn from rng
// in the canonical form the Service stores (directory's fieldValue): an
// option's value, a whole number as float64, a date as midnight UTC in
// RFC 3339. Like real data, some users lack some values.
func seedFieldValues(rng *rand.Rand) map[string]any {
	values := map[string]any{}
	if rng.IntN(100) < 85 {
		values["plan"] = seedPlans[pickWeighted(rng, seedPlanTotal, func(k int) int { return seedPlans[k].weight })].value
	}
	if rng.IntN(100) < 70 {
		// Most customers have few points, a few have many.
		n := rng.IntN(2000)
		if rng.IntN(10) == 0 {
			n += rng.IntN(48000)
		}
		values["loyalty_points"] = float64(n)
	}
	if rng.IntN(100) < 60 {
		day := seedRenewalFrom.AddDate(0, 0, rng.IntN(seedRenewalDays))
		values["renewal_date"] = day.Format("2006-01-02T15:04:05Z")
	}
	if rng.IntN(100) < 40 {
		values["referral_source"] = seedReferrals[rng.IntN(len(seedReferrals))]
	}
	return values
}

// seedDirectory makes the realm's seed organizations and user fields
// through the Service's rules, or finds those an earlier seed made, and
// returns the organizations' ids in seedOrganizations' order. A field of
// the same key but another type, or a plan field without the seed's
// options, is an error: the seeded values would not be valid.
func seedDirectory(ctx context.Context, store directory.Store, realmID int64) ([]int64, error) {
	svc := directory.NewService(store, directory.ServiceOptions{})
	a := directory.Operator(realmID)
	fields, err := svc.UserFields(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, want := range seedFields() {
		i := slices.IndexFunc(fields, func(f directory.UserField) bool { return f.Key == *want.Key })
		if i < 0 {
			if _, err := svc.CreateUserField(ctx, a, want); err != nil {
				return nil, fmt.Errorf("user field %s: %w", *want.Key, err)
			}
			continue
		}
		f := &fields[i]
		if string(f.Type) != *want.Type || !f.Active {
			return nil, fmt.Errorf("the realm's user field %s is an inactive field or one of type %s; the seed needs an active %s field", f.Key, f.Type, *want.Type)
		}
		if want.Options != nil {
			for _, o := range *want.Options {
				if !slices.ContainsFunc(f.Options, func(x directory.FieldOption) bool { return x.Value == *o.Value }) {
					return nil, fmt.Errorf("the realm's user field %s has no option %q, which the seed gives users", f.Key, *o.Value)
				}
			}
		}
	}
	ids := make([]int64, len(seedOrganizations))
	for k, o := range seedOrganizations {
		found, err := store.OrganizationByName(ctx, realmID, o.name)
		switch {
		case err == nil:
			ids[k] = found.ID
			continue
		case directory.KindOf(err) != directory.KindNotFound:
			return nil, err
		}
		slug := asciiFold(o.name) // "Vértice Software" -> "verticesoftware"
		created, err := svc.CreateOrganization(ctx, a, directory.OrganizationInput{
			Name:        &o.name,
			ExternalID:  new(fmt.Sprintf("seed-org-%02d", k+1)),
			Details:     new(strings.ToUpper(o.industry[:1]) + o.industry[1:] + " company; customer since " + strconv.Itoa(2012+k%12) + "."),
			DomainNames: &[]string{slug + ".example"},
			Tags:        &[]string{o.industry, seedOrgTiers[k%len(seedOrgTiers)]},
		})
		if err != nil {
			return nil, fmt.Errorf("organization %s: %w", o.name, err)
		}
		ids[k] = created.ID
	}
	return ids, nil
}

// mix is splitmix64's finalizer: it spreads nearby seeds over all bits.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func seedUUID(rng *rand.Rand) string {
	var b [16]byte
	for k := range b {
		b[k] = byte(rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func pickWeighted(rng *rand.Rand, total int, weight func(int) int) int {
	n := rng.IntN(total)
	for k := 0; ; k++ {
		if n -= weight(k); n < 0 {
			return k
		}
	}
}

// seedName is a name and its ASCII form for email addresses.
type seedName struct{ name, ascii string }

// nameGroup is a pool of first and last names of one language area.
type nameGroup struct {
	first, last []seedName
	// secondLast is set where people commonly carry two surnames.
	secondLast bool
}

// phonePlan makes unique mobile numbers of one country: its prefix (from
// libphonenumber's example number) and tail digits derived from the user
// index, so no two users of a seed share a number.
type phonePlan struct {
	prefix string
	digits int // tail length; 10^digits users of a seed can have a phone
	mod    int
}

// number returns the phone of user i of seed s, if the plan has room.
func (p phonePlan) number(i int, s uint64) (string, bool) {
	if i >= p.mod || p.prefix == "" {
		return "", false
	}
	// Multiplying by a number prime to 10 permutes the tails, so numbers
	// look random yet stay unique; the seed shifts them.
	tail := (uint64(i)*7919 + s*104729) % uint64(p.mod)
	return p.prefix + fmt.Sprintf("%0*d", p.digits, tail), true
}

// seedCountry is where a seeded user lives: its weight among users, its
// name groups, time zones, locales and phone plan.
type seedCountry struct {
	region    string
	weight    int
	groups    []int
	timeZones []directory.TimeZone
	locales   []directory.Locale
	phone     phonePlan
}

// Indexes of nameGroups.
const (
	groupHispanic = iota
	groupEnglish
	groupPortuguese
	groupFrench
	groupGerman
	groupItalian
	groupNordic
	groupSlavic
	groupMediterranean
	groupEastAsian
	groupSouthAsian
	groupAfrican
)

var (
	seedCountries    []seedCountry
	seedCountryTotal int
	nameGroups       []nameGroup
)

func init() {
	nameGroups = make([]nameGroup, len(rawNameGroups))
	for g, raw := range rawNameGroups {
		nameGroups[g] = nameGroup{first: seedNames(raw.first), last: seedNames(raw.last), secondLast: raw.secondLast}
	}
	zones := map[string]directory.TimeZone{}
	for _, tz := range directory.TimeZones() {
		zones[tz.Name] = tz
	}
	locales := map[string]directory.Locale{}
	for _, l := range directory.Locales() {
		locales[l.Tag] = l
	}
	for _, raw := range rawSeedCountries {
		c := seedCountry{region: raw.region, weight: raw.weight, groups: raw.groups}
		for _, name := range raw.timeZones {
			tz, ok := zones[name]
			if !ok {
				panic("cli: seed time zone " + name + " is not in directory.TimeZones")
			}
			c.timeZones = append(c.timeZones, tz)
		}
		for _, tag := range raw.locales {
			l, ok := locales[tag]
			if !ok {
				panic("cli: seed locale " + tag + " is not in directory.Locales")
			}
			c.locales = append(c.locales, l)
		}
		ex := phonenumbers.GetExampleNumberForType(raw.region, phonenumbers.MOBILE)
		if nat := phonenumbers.GetNationalSignificantNumber(ex); ex != nil && len(nat) > raw.phoneDigits {
			mod := 1
			for range raw.phoneDigits {
				mod *= 10
			}
			c.phone = phonePlan{prefix: "+" + strconv.Itoa(int(ex.GetCountryCode())) + nat[:len(nat)-raw.phoneDigits],
				digits: raw.phoneDigits, mod: mod}
		}
		seedCountries = append(seedCountries, c)
		seedCountryTotal += c.weight
	}
}

func seedNames(list string) []seedName {
	var out []seedName
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n != "" {
			out = append(out, seedName{name: n, ascii: asciiFold(n)})
		}
	}
	return out
}

// asciiFold lowercases a name and keeps only ASCII letters and digits,
// taking accents off ("Núñez" -> "nunez", "O'Brien" -> "obrien").
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case r < unicode.MaxASCII, unicode.Is(unicode.Mn, r):
		default:
			b.WriteString(foldSpecial[r])
		}
	}
	return b.String()
}

// foldSpecial spells the letters that do not decompose into a base letter
// and an accent.
var foldSpecial = map[rune]string{'ł': "l", 'ø': "o", 'ß': "ss", 'ı': "i", 'đ': "d", 'æ': "ae", 'œ': "oe", 'þ': "th", 'ð': "d"}

// rawSeedCountries lists where seeded users live. Weights are percents,
// roughly a multinational consumer business with a Latin American lean.
var rawSeedCountries = []struct {
	region      string
	weight      int
	groups      []int
	timeZones   []string
	locales     []string
	phoneDigits int
}{
	{"US", 20, []int{groupEnglish, groupEnglish, groupEnglish, groupHispanic, groupAfrican, groupEastAsian}, []string{"Eastern Time (US & Canada)", "Central Time (US & Canada)", "Mountain Time (US & Canada)", "Pacific Time (US & Canada)", "Arizona", "Hawaii", "Alaska"}, []string{"en-US", "en-US", "en-US", "es"}, 6},
	{"MX", 6, []int{groupHispanic}, []string{"Mexico City", "Guadalajara", "Monterrey", "Tijuana"}, []string{"es-MX", "es-419"}, 7},
	{"CL", 6, []int{groupHispanic}, []string{"Santiago"}, []string{"es-CL", "es-419", "es"}, 7},
	{"AR", 4, []int{groupHispanic, groupHispanic, groupItalian}, []string{"Buenos Aires"}, []string{"es-AR", "es-419"}, 7},
	{"CO", 4, []int{groupHispanic}, []string{"Bogota"}, []string{"es-CO", "es-419"}, 7},
	{"PE", 2, []int{groupHispanic}, []string{"Lima"}, []string{"es-PE", "es-419"}, 7},
	{"ES", 4, []int{groupHispanic}, []string{"Madrid"}, []string{"es-ES", "es", "ca", "eu", "gl"}, 7},
	{"BR", 8, []int{groupPortuguese}, []string{"Brasilia"}, []string{"pt-BR"}, 7},
	{"PT", 2, []int{groupPortuguese}, []string{"Lisbon", "Azores"}, []string{"pt-PT", "pt"}, 7},
	{"FR", 4, []int{groupFrench}, []string{"Paris"}, []string{"fr"}, 7},
	{"CA", 3, []int{groupEnglish, groupFrench}, []string{"Eastern Time (US & Canada)", "Atlantic Time (Canada)", "Pacific Time (US & Canada)", "Newfoundland", "Saskatchewan"}, []string{"en-CA", "fr-CA"}, 6},
	{"GB", 5, []int{groupEnglish, groupEnglish, groupSouthAsian}, []string{"London", "Edinburgh"}, []string{"en-GB"}, 7},
	{"IE", 1, []int{groupEnglish}, []string{"Dublin"}, []string{"en-IE"}, 7},
	{"DE", 4, []int{groupGerman, groupGerman, groupMediterranean}, []string{"Berlin"}, []string{"de"}, 7},
	{"IT", 3, []int{groupItalian}, []string{"Rome"}, []string{"it"}, 7},
	{"NL", 1, []int{groupGerman}, []string{"Amsterdam"}, []string{"nl"}, 7},
	{"SE", 1, []int{groupNordic}, []string{"Stockholm"}, []string{"sv"}, 7},
	{"NO", 1, []int{groupNordic}, []string{"Copenhagen"}, []string{"nb"}, 6},
	{"FI", 1, []int{groupNordic}, []string{"Helsinki"}, []string{"fi"}, 7},
	{"PL", 2, []int{groupSlavic}, []string{"Warsaw"}, []string{"pl"}, 7},
	{"CZ", 1, []int{groupSlavic}, []string{"Prague"}, []string{"cs"}, 6},
	{"UA", 1, []int{groupSlavic}, []string{"Kyiv"}, []string{"uk"}, 7},
	{"TR", 2, []int{groupMediterranean}, []string{"Istanbul"}, []string{"tr"}, 7},
	{"GR", 1, []int{groupMediterranean}, []string{"Athens"}, []string{"el"}, 7},
	{"JP", 2, []int{groupEastAsian}, []string{"Tokyo", "Osaka", "Sapporo"}, []string{"ja"}, 7},
	{"KR", 1, []int{groupEastAsian}, []string{"Seoul"}, []string{"ko"}, 7},
	{"CN", 2, []int{groupEastAsian}, []string{"Beijing", "Chongqing", "Hong Kong"}, []string{"zh-CN"}, 7},
	{"IN", 3, []int{groupSouthAsian}, []string{"New Delhi", "Mumbai", "Kolkata", "Chennai"}, []string{"en-IN", "hi", "bn"}, 7},
	{"VN", 1, []int{groupSouthAsian}, []string{"Hanoi"}, []string{"vi"}, 7},
	{"ID", 1, []int{groupSouthAsian}, []string{"Jakarta"}, []string{"id", "ms"}, 7},
	{"PH", 1, []int{groupSouthAsian, groupHispanic}, []string{"Singapore"}, []string{"fil", "en-US"}, 7},
	{"AU", 2, []int{groupEnglish}, []string{"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"}, []string{"en-AU"}, 7},
	{"NZ", 1, []int{groupEnglish}, []string{"Auckland", "Wellington"}, []string{"en-NZ"}, 7},
	{"ZA", 1, []int{groupAfrican, groupEnglish}, []string{"Pretoria"}, []string{"af", "en-GB"}, 7},
	{"NG", 1, []int{groupAfrican}, []string{"West Central Africa"}, []string{"en-GB"}, 7},
	{"KE", 1, []int{groupAfrican}, []string{"Nairobi"}, []string{"sw", "en-GB"}, 7},
	{"EG", 1, []int{groupMediterranean}, []string{"Cairo"}, []string{"ar"}, 7},
	{"AE", 1, []int{groupMediterranean, groupSouthAsian}, []string{"Abu Dhabi"}, []string{"ar", "en-GB"}, 7},
}

// rawNameGroups are the name pools, indexed by the group constants: a few
// hundred first and last names in all, with their accents.
var rawNameGroups = []struct {
	first, last string
	secondLast  bool
}{
	groupHispanic: {
		first: `Sofía, Valentina, Isabella, Camila, Martina, Lucía, María, Fernanda, Daniela, Gabriela, Antonella, Renata,
			Catalina, Josefa, Florencia, Agustina, Ximena, Paula, Carolina, Andrea, Mateo, Santiago, Sebastián, Matías,
			Nicolás, Benjamín, Joaquín, Diego, Tomás, Martín, Alejandro, Lucas, Emiliano, Felipe, Agustín, José, Juan,
			Javier, Andrés, Ignacio, Rodrigo, Cristóbal, Vicente, Gonzalo, Maximiliano, Begoña, Iñaki, Araceli`,
		last: `González, Rodríguez, Gómez, Fernández, López, Díaz, Martínez, Pérez, García, Sánchez, Romero, Sosa, Torres,
			Álvarez, Ruiz, Ramírez, Flores, Acosta, Benítez, Medina, Herrera, Suárez, Aguirre, Giménez, Gutiérrez, Pereira,
			Rojas, Molina, Castro, Ortiz, Silva, Núñez, Muñoz, Morales, Vargas, Castillo, Jiménez, Vásquez, Contreras,
			Sepúlveda, Fuentes, Valenzuela, Araya, Espinoza, Carrasco, Cortés, Reyes, Mendoza, Ibáñez, Peña, Zúñiga, Echeverría`,
		secondLast: true,
	},
	groupEnglish: {
		first: `Olivia, Emma, Amelia, Ava, Charlotte, Harper, Evelyn, Abigail, Emily, Elizabeth, Grace, Chloe, Zoe, Hannah,
			Lily, Ella, Madison, Aubrey, Scarlett, Victoria, Liam, Noah, Oliver, Elijah, James, William, Benjamin, Henry,
			Alexander, Michael, Daniel, Jacob, Logan, Jackson, Ethan, Samuel, Owen, Jack, Wyatt, Caleb, Ryan, Nathan,
			Isaac, Aaron, Connor, Siobhan, Niamh, Declan, Aoife, Ruairí`,
		last: `Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore, Jackson,
			Martin, Lee, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young, Allen, King, Wright, Scott, Hill,
			Green, Adams, Baker, Nelson, Carter, Mitchell, Roberts, Turner, Phillips, Campbell, Parker, Evans, Edwards,
			Collins, Stewart, Murphy, Cook, O'Brien, Kelly, Sullivan, Walsh, Byrne, McCarthy, Hughes, Ó Súilleabháin`,
	},
	groupPortuguese: {
		first: `Ana, Beatriz, Júlia, Larissa, Letícia, Mariana, Gabriela, Fernanda, Luíza, Vitória, Helena, Alícia,
			Manuela, Lívia, Giovanna, Inês, Leonor, Matilde, João, Pedro, Gustavo, Lucas, Gabriel, Rafael, Guilherme,
			Felipe, Thiago, Bruno, Rodrigo, Vinícius, Caio, Davi, Heitor, Bernardo, Enzo, Arthur, Tiago, Duarte, Rui, Gonçalo`,
		last: `Silva, Santos, Oliveira, Souza, Lima, Pereira, Ferreira, Costa, Rodrigues, Almeida, Nascimento, Gomes,
			Martins, Araújo, Melo, Barbosa, Ribeiro, Alves, Cardoso, Carvalho, Rocha, Dias, Teixeira, Moreira, Correia,
			Mendes, Nunes, Soares, Vieira, Monteiro, Cavalcanti, Conceição, Magalhães, Brandão, Assunção, Gonçalves,
			Simões, Fonseca`,
	},
	groupFrench: {
		first: `Léa, Chloé, Manon, Inès, Camille, Sarah, Jade, Zoé, Louise, Léna, Élodie, Maëlle, Océane, Anaïs, Clémence,
			Hélène, Mathéo, Hugo, Théo, Lucas, Raphaël, Louis, Gabriel, Arthur, Jules, Noé, Maël, Étienne, Benoît,
			François, Jérôme, Loïc, Amélie, Cécile, Gaël, Aurélien, Thibault, Clément, Sébastien, Renée`,
		last: `Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent, Lefèvre,
			Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André, Lefebvre, Mercier, Dupont,
			Lambert, Bonnet, François, Legrand, Garnier, Faure, Rousseau, Blanc, Guérin, Boyer, Gauthier, Chevalier,
			Bélanger, Côté, Gagné, Tremblay, Lévesque, Pelletier`,
	},
	groupGerman: {
		first: `Mia, Emma, Hannah, Sofia, Lea, Marie, Lena, Anna, Leonie, Lina, Jana, Jürgen, Lukas, Leon, Finn, Jonas,
			Paul, Luis, Felix, Maximilian, Elias, Ben, Tim, Niklas, Jörg, Günther, Uwe, Klaus, Sabine, Katrin, Ute,
			Birgit, Dörte, Käthe, Daan, Sem, Lotte, Fenna, Bram, Sanne`,
		last: `Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer,
			Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Hofmann, Hartmann, Lange,
			Schmitt, Werner, Krause, Meier, Lehmann, Köhler, Weiß, Jäger, Groß, Vogel, de Vries, van den Berg, Bakker,
			Visser, de Jong, Jansen`,
	},
	groupItalian: {
		first: `Giulia, Chiara, Francesca, Sara, Martina, Alessia, Aurora, Ginevra, Beatrice, Elisa, Federica, Noemi,
			Alessandro, Lorenzo, Leonardo, Francesco, Matteo, Andrea, Riccardo, Tommaso, Davide, Giuseppe, Niccolò,
			Luca, Marco, Simone, Federico, Pietro, Ludovica, Gioele`,
		last: `Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti,
			De Luca, Mancini, Costa, Giordano, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, Mariani, Rinaldi,
			Caruso, Ferrara, Galli, Martini, Leone, Longo, Gentile, Martinelli, Vitale, Lombardo, Serra, Coppola,
			De Santis, D'Angelo, Fabbri`,
	},
	groupNordic: {
		first: `Astrid, Freja, Ingrid, Sigrid, Maja, Elsa, Saga, Linnéa, Åsa, Ebba, Liv, Nora, Ida, Signe, Oskar, Lars,
			Erik, Anders, Nils, Magnus, Björn, Søren, Mikael, Henrik, Johan, Axel, Leif, Sven, Tor, Ørjan, Aino, Eero,
			Väinö, Mikko, Päivi, Jónas`,
		last: `Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, Svensson, Gustafsson, Jensen,
			Nielsen, Hansen, Pedersen, Andersen, Christensen, Sørensen, Rasmussen, Johansen, Olsen, Berg, Haugen,
			Lindqvist, Bergström, Sjöberg, Åberg, Ekström, Lindström, Virtanen, Korhonen, Mäkinen, Nieminen, Mäkelä,
			Hämäläinen, Laine, Heikkinen, Þórsdóttir`,
	},
	groupSlavic: {
		first: `Zofia, Zuzanna, Julia, Maja, Hanna, Alicja, Małgorzata, Agnieszka, Katarzyna, Ewa, Anežka, Tereza, Jana,
			Šárka, Kateřina, Jakub, Kacper, Szymon, Filip, Jan, Antoni, Wojciech, Łukasz, Paweł, Michał, Tomasz, Piotr,
			Jiří, Tomáš, Ondřej, Lukáš, Dušan, Milan, Bogdan, Olena, Oksana, Dmytro, Andrii, Iryna`,
		last: `Nowak, Kowalski, Wiśniewski, Wójcik, Kowalczyk, Kamiński, Lewandowski, Zieliński, Szymański, Woźniak,
			Dąbrowski, Kozłowski, Jankowski, Mazur, Kwiatkowski, Krawczyk, Novák, Svoboda, Novotný, Dvořák, Černý,
			Procházka, Kučera, Veselý, Horák, Němec, Pokorný, Marek, Shevchenko, Kovalenko, Bondarenko, Tkachenko,
			Kravchenko, Horvat, Kovačević, Babić, Jurić, Petrović, Jovanović`,
	},
	groupMediterranean: {
		first: `Elif, Zeynep, Defne, Ecem, Ayşe, Büşra, Gülşen, Özlem, Şule, İrem, Mehmet, Mustafa, Ahmet, Emre, Burak,
			Çağlar, Barış, Oğuz, Yiğit, Eleni, Katerina, Georgios, Dimitrios, Nikolaos, Konstantinos, Yannis, Fatima,
			Layla, Noor, Yasmin, Omar, Karim, Youssef, Ali, Hassan, Amira, Tarek`,
		last: `Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, Doğan, Kılıç, Aslan,
			Çetin, Kara, Koç, Kurt, Özkan, Papadopoulos, Papadakis, Georgiou, Nikolaidis, Karagiannis, Vlachos, Haddad,
			Khoury, Mansour, Nasser, Hamdan, Saleh, Aziz, Rahman, Farouk, El-Sayed`,
	},
	groupEastAsian: {
		first: `Yuki, Haruto, Sota, Yui, Aoi, Hina, Ren, Sakura, Riku, Mei, Kenji, Takeshi, Hiroshi, Akira, Yuna,
			Min-jun, Seo-yeon, Ji-ho, Ha-eun, Do-yun, Ji-woo, Seo-jun, Wei, Jing, Li Na, Xiu Ying, Hao, Jun, Mei Ling,
			Zhi Wei, Yan, Shōta, Ryōko`,
		last: `Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, Yoshida, Yamada,
			Sasaki, Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Wang, Li, Zhang, Liu, Chen, Yang, Huang,
			Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Ōno`,
	},
	groupSouthAsian: {
		first: `Aarav, Vivaan, Aditya, Vihaan, Arjun, Sai, Reyansh, Krishna, Ishaan, Rohan, Priya, Ananya, Diya, Aadhya,
			Saanvi, Kavya, Isha, Meera, Anh, Linh, Ngọc, Phương, Thảo, Minh, Huy, Đức, Quang, Tuấn, Putri, Dewi, Sari,
			Budi, Agus, Rizky, Maricel, Jose, Lakshmi, Zainab`,
		last: `Sharma, Verma, Gupta, Singh, Kumar, Patel, Shah, Mehta, Iyer, Reddy, Nair, Rao, Das, Banerjee, Chatterjee,
			Mukherjee, Joshi, Desai, Nguyễn, Trần, Lê, Phạm, Hoàng, Huỳnh, Võ, Đặng, Bùi, Đỗ, Santoso, Wijaya, Halim,
			Saputra, Dela Cruz, Bautista, Villanueva, Ramos`,
	},
	groupAfrican: {
		first: `Amara, Chiamaka, Ngozi, Adaeze, Folake, Abena, Akosua, Ama, Zanele, Thandiwe, Nomvula, Wanjiru, Achieng,
			Chinedu, Emeka, Oluwaseun, Tunde, Kwame, Kofi, Sipho, Thabo, Kagiso, Jabari, Baraka, Kamau, Otieno, Aïssata,
			Moussa`,
		last: `Okafor, Okonkwo, Adeyemi, Adebayo, Olawale, Eze, Nwosu, Mensah, Owusu, Boateng, Asante, Dlamini, Nkosi,
			Ndlovu, Khumalo, Mokoena, Mthembu, Kamau, Odhiambo, Mwangi, Njoroge, Otieno, Achebe, Diallo, Traoré, Koné,
			Ndiaye, Mbeki`,
	},
}

// seedDomains are reserved for examples (RFC 2606 and RFC 6761): no seeded
// address can reach anyone.
var seedDomains = []string{"example.com", "example.org", "example.net", "mail.example", "inbox.example", "correo.example", "post.example"}

// seedTags is the tag vocabulary, in the normalized form of the API.
var seedTags = []string{"vip", "newsletter", "beta", "churn_risk", "enterprise", "smb", "trial", "premium", "gold",
	"silver", "bronze", "partner", "reseller", "b2b", "b2c", "mobile_app", "web", "referral", "priority_support",
	"onboarding", "wholesale", "loyalty", "early_adopter", "nps_promoter", "nps_detractor"}

// Organization names are a prefix and a suffix; the prefix is a word a
// search for the organization finds in details.
var (
	seedOrgPrefixes = []string{"Northwind", "Andes", "Bluewater", "Cedarline", "Aurora", "Pacifica", "Lumen", "Atlas",
		"Solaris", "Vértice", "Kestrel", "Harborview", "Granite", "Mapleleaf", "Orion", "Nimbus", "Terranova",
		"Quetzal", "Boreal", "Sakura", "Zenith", "Cóndor", "Alpenglow", "Baobab", "Fjordline", "Mistral", "Sierra",
		"Tundra", "Yucatán", "Evergreen"}
	seedOrgSuffixes = []string{"Logistics", "Foods", "Bank", "Telecom", "Retail", "Health", "Labs", "Studio",
		"Energy", "Travel", "Insurance", "Motors", "Media", "Farms", "Pharma", "Software"}
	// seedSuffixIndustries is the industry of a seed organization, by
	// its suffix.
	seedSuffixIndustries = map[string]string{"Logistics": "logistics", "Foods": "hospitality", "Bank": "banking",
		"Telecom": "telecom", "Retail": "retail", "Health": "healthcare", "Labs": "software", "Studio": "media",
		"Energy": "energy", "Travel": "hospitality", "Insurance": "insurance", "Motors": "manufacturing",
		"Media": "media", "Farms": "agriculture", "Pharma": "healthcare", "Software": "software"}
	seedIndustries = []string{"retail", "banking", "insurance", "healthcare", "education", "hospitality", "telecom",
		"manufacturing", "logistics", "media", "government", "nonprofit", "agriculture", "energy", "software"}
)

// seedOrganization is an organization seeded users belong to: its name,
// its industry and its weight among members.
type seedOrganization struct {
	name, industry string
	weight         int
}

// seedOrganizations are the organizations of a seeded realm: one per
// seedOrgPrefixes, with a suffix and an industry of its own, a few large
// and many small (organization k weighs about 1/(k+3)).
var (
	seedOrganizations []seedOrganization
	seedOrgTotal      int
	seedOrgTiers      = []string{"enterprise", "smb", "mid_market"}
)

func seedOrgWeight(k int) int { return seedOrganizations[k].weight }

// init names the seed organizations and sums the weights of them and of
// the plans.
func init() {
	for k, prefix := range seedOrgPrefixes {
		suffix := seedOrgSuffixes[(k*7)%len(seedOrgSuffixes)]
		o := seedOrganization{name: prefix + " " + suffix, industry: seedSuffixIndustries[suffix], weight: 3000 / (k + 3)}
		if !slices.Contains(seedIndustries, o.industry) {
			panic("cli: seed organization " + o.name + " has no industry")
		}
		seedOrganizations = append(seedOrganizations, o)
		seedOrgTotal += o.weight
	}
	for _, p := range seedPlans {
		seedPlanTotal += p.weight
	}
}

// seedPlan is an option of the plan field and its weight among users.
type seedPlan struct {
	name, value string
	weight      int
}

var (
	seedPlans = []seedPlan{{"Free", "free", 40}, {"Basic", "basic", 25}, {"Plus", "plus", 18},
		{"Premium", "premium", 12}, {"Enterprise", "enterprise", 5}}
	seedPlanTotal int // the weights' sum
	// Renewal dates fall in the two years from seedRenewalFrom.
	seedRenewalFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	seedRenewalDays = 730
	seedReferrals   = []string{"Google search", "Friend or colleague", "Instagram", "LinkedIn", "Podcast",
		"Trade show", "Newsletter", "Partner referral", "TV ad", "Blog post", "App store", "Recomendación de un amigo"}
)

// seedFields returns the user fields a seed gives its users values of.
func seedFields() []directory.UserFieldInput {
	options := make([]directory.FieldOptionInput, len(seedPlans))
	for k, p := range seedPlans {
		options[k] = directory.FieldOptionInput{Name: &p.name, Value: &p.value}
	}
	field := func(key, typ, title, description string) directory.UserFieldInput {
		return directory.UserFieldInput{Key: &key, Type: &typ, Title: &title, Description: &description}
	}
	plan := field("plan", "dropdown", "Plan", "The customer's subscription plan.")
	plan.Options = &options
	return []directory.UserFieldInput{
		plan,
		field("loyalty_points", "integer", "Loyalty points", "Points in the loyalty program."),
		field("renewal_date", "date", "Renewal date", "When the subscription renews."),
		field("referral_source", "text", "Referral source", "How the customer heard of us."),
	}
}

// seedNotes are agent notes; their words give search something to find.
var seedNotes = []string{
	"Prefers contact by email.",
	"Prefers a phone call in the afternoon.",
	"Asked about the annual invoice.",
	"Renewal due next quarter.",
	"Reported a login problem on the mobile app.",
	"Interested in the premium plan.",
	"Referred by a colleague.",
	"Attended the spring webinar.",
	"Requested a refund for a duplicate charge.",
	"Waiting for a replacement card.",
	"Changed address last month.",
	"Asked to close the account; retention offer sent.",
	"Long-time customer, very satisfied.",
	"Escalated twice about delivery delays.",
	"Uses the API for reporting.",
	"Needs an accessible version of statements.",
	"Speaks several languages; prefers Spanish.",
	"Travels often; card blocked abroad once.",
	"Gave feedback on the new checkout.",
	"Joined the loyalty program.",
}

// defaultCommitEvery is how many users a seed writes between two
// commits. Larger loads between commits write the search index in fewer,
// larger pieces; smaller ones lose less to a failure, keep the
// write-ahead log smaller and hold SQLite's write lock for less time.
const defaultCommitEvery = 250000

// defaultImportCommitEvery is the same for user import, which usually
// runs beside a live server: a commit of 10,000 rows holds the write lock
// for a few seconds, well inside the 10 s every other writer waits for
// it, where 250,000 would make the server's writes fail meanwhile.
const defaultImportCommitEvery = 10000

// beginLoad starts a bulk load of store when it has one
// (directory.BulkLoader); otherwise every store call commits by itself.
func beginLoad(ctx context.Context, store directory.Store) (context.Context, directory.Load, error) {
	if b, ok := store.(directory.BulkLoader); ok {
		return b.BulkLoad(ctx)
	}
	return ctx, noLoad{}, nil
}

// expectPerCommit tells load, when it takes the hint
// (directory.LoadSizer), that about n new users come between two commits.
func expectPerCommit(load directory.Load, n int) {
	if s, ok := load.(directory.LoadSizer); ok {
		s.ExpectPerCommit(n)
	}
}

// noLoad is the Load of a store without bulk loads.
type noLoad struct{}

func (noLoad) Commit(context.Context) error { return nil }
func (noLoad) End() error                   { return nil }
