/** The fields a person edits; `""` when unset, never null. */
export interface ProfileFields {
  firstName: string;
  lastName: string;
  country: string;
  department: string;
  avatar: string;
}

export const EMPTY_PROFILE: Readonly<ProfileFields> = Object.freeze({
  firstName: '',
  lastName: '',
  country: '',
  department: '',
  avatar: '',
});
